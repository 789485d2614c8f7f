import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import * as main from '@model-archiver/core';
import * as checking from '@model-archiver/core/check';
import * as reading from '@model-archiver/core/read';

// The built entry points (npm test builds first), loaded in fresh processes that list the modules they load.
const readEntry = fileURLToPath(new URL('../dist/read-entry.js', import.meta.url));
const mainEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const checkEntry = fileURLToPath(new URL('../dist/check-entry.js', import.meta.url));
const trace = fileURLToPath(new URL('../../../fixtures/module-trace/register.mjs', import.meta.url));

let dir: string;
let archive: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'core-read-entry-'));
  archive = join(dir, 'm.mar');
  const source = join(dir, 'src');
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(source);
  await writeFile(join(source, 'svc.mjs'), 'export const handle = (batch) => batch;');
  await main.buildArchive({ modelName: 'm', version: '1.0', flavour: 'node', handler: 'svc.mjs', cwd: source, exportPath: dir, env: {} });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `script` (ESM, with `entry` and `archive` defined) in a fresh process; returns the module URLs it loaded. */
function modulesLoadedBy(entry: string, script: string): string[] {
  const code = `const core = await import(${JSON.stringify(entry)});\nconst archive = ${JSON.stringify(archive)};\n${script}`;
  const result = spawnSync(process.execPath, ['--import', trace, '--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return result.stderr.split('\n').filter((l) => l.startsWith('module-trace ')).map((l) => l.slice('module-trace '.length));
}

const loadsZod = (modules: string[]): boolean => modules.some((url) => url.includes('/node_modules/zod/'));

describe('@model-archiver/core/read', () => {
  it('opens an archive, lists it, reads and extracts entries without loading zod', () => {
    const modules = modulesLoadedBy(
      readEntry,
      [
        'const a = await core.openArchive(archive);',
        "if (!a.entries.some((e) => e.path === 'svc.mjs')) throw new Error('entry missing');",
        'await a.readEntry(core.INTEGRITY_PATH);',
        'await a.close();',
      ].join('\n'),
    );
    expect(modules.some((url) => url.endsWith('/read/zip-archive.js'))).toBe(true);
    expect(loadsZod(modules)).toBe(false);
  });

  it('validates a valid manifest and record without zod, and loads it to explain an invalid one', async () => {
    const valid = modulesLoadedBy(
      readEntry,
      [
        'const a = await core.openArchive(archive);',
        "if ((await a.readManifest()).manifest.model.modelName !== 'm') throw new Error('manifest');",
        'const record = await core.parseIntegrityRecordLazily(await a.readEntry(core.INTEGRITY_PATH));',
        "if (!record.files.some((f) => f.path === 'svc.mjs')) throw new Error('record');",
        'await a.close();',
      ].join('\n'),
    );
    expect(valid.some((url) => url.endsWith('/json-check/compile-json-parse.js'))).toBe(true);
    expect(loadsZod(valid)).toBe(false);
    const invalidManifest = modulesLoadedBy(
      readEntry,
      [
        "const r = await core.validateManifest('{\"runtime\":\"python\",\"model\":{}}').then(() => 'ok', (e) => e.code);",
        "if (r !== 'MANIFEST_INVALID') throw new Error(r);",
      ].join('\n'),
    );
    expect(loadsZod(invalidManifest)).toBe(true);
    const invalidRecord = modulesLoadedBy(
      readEntry,
      [
        "const r = await core.parseIntegrityRecordLazily('{\"integrityVersion\":2}').then(() => 'ok', (e) => e.code);",
        "if (r !== 'INTEGRITY_MISMATCH') throw new Error(r);",
      ].join('\n'),
    );
    expect(loadsZod(invalidRecord)).toBe(true);
  });

  it('loads no container reader until an archive is opened', () => {
    const modules = modulesLoadedBy(readEntry, '');
    expect(modules.some((url) => /\/read\/(zip|tgz|folder)-archive\.js$/.test(url) || url.includes('/node_modules/yauzl/'))).toBe(false);
    expect(loadsZod(modules)).toBe(false);
  });

  it('exports the same bindings as the main entry point (one error class for both)', () => {
    for (const [name, value] of Object.entries(reading)) {
      expect(main[name as keyof typeof main], name).toBe(value);
    }
    expect(reading.ModelArchiveError).toBe(main.ModelArchiveError);
  });

  it('is declared in the package exports', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['./read']?.default).toBe('./dist/read-entry.js');
    // The main entry still works standalone and validates with zod (a sanity check of the trace above).
    expect(loadsZod(modulesLoadedBy(mainEntry, ''))).toBe(true);
  });
});

describe('@model-archiver/core/check', () => {
  it('inspects, verifies and lints a valid archive without loading zod', () => {
    const modules = modulesLoadedBy(
      checkEntry,
      [
        'const report = await core.inspectArchive(archive);',
        "if (report.flavour !== 'node' || report.manifestError !== undefined) throw new Error(JSON.stringify(report));",
        'const verified = await core.verifyArchive(archive);',
        "if (core.verificationError(verified) !== undefined) throw new Error('verify');",
        'const lint = await core.lintArchives([archive], { verify: true });',
        "if (lint.results.length !== 1 || lint.errorCount !== 0) throw new Error(JSON.stringify(lint.results));",
      ].join('\n'),
    );
    expect(modules.some((url) => url.endsWith('/lint/lint-archives.js'))).toBe(true);
    expect(loadsZod(modules)).toBe(false);
  });

  it('loads zod to explain an archive whose manifest is invalid', async () => {
    const { writeFile } = await import('node:fs/promises');
    const folder = join(dir, 'bad');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(folder, 'MAR-INF'), { recursive: true });
    await writeFile(join(folder, 'MAR-INF', 'MANIFEST.json'), '{"runtime":"python","model":{"modelName":"m"}}');
    const modules = modulesLoadedBy(
      checkEntry,
      [
        `const report = await core.inspectArchive(${JSON.stringify(folder)});`,
        "if (report.manifestError?.code !== 'MANIFEST_INVALID') throw new Error(JSON.stringify(report.manifestError));",
      ].join('\n'),
    );
    expect(loadsZod(modules)).toBe(true);
  });

  it('exports the same bindings as the main entry point and is declared in the package exports', async () => {
    for (const [name, value] of Object.entries(checking)) {
      expect(main[name as keyof typeof main], name).toBe(value);
    }
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['./check']?.default).toBe('./dist/check-entry.js');
  });
});
