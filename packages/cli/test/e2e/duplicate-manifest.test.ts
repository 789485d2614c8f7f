/**
 * Archives with two `MAR-INF/MANIFEST.json` entries, as torch-model-archiver writes them when an `--extra-files` folder
 * holds `MAR-INF/` (anchors: reference case ts_extra_contains_marinf; the folder's copy comes first, the archiver's own
 * manifest last). TorchServe's frontend unzips every entry over the previous one and reads the extracted file, Python's
 * zipfile keeps the last record of a name: the last copy is the manifest. Any other duplicate name is still refused.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildZip } from '../../../../fixtures/hostile/zip-builder.mjs';
import { errorCodeOf, hasProgram, jsonOf, readZip, runCli, tempDir } from './cli-harness.js';
import { CASES_DIR } from './reference-cases.js';

const MANIFEST = 'MAR-INF/MANIFEST.json';
/** What a stale folder copy of a manifest looks like (an earlier build's, another model's). */
const STALE = JSON.stringify({ runtime: 'python', model: { modelName: 'stale', handler: 'old.py', modelVersion: '0.1' } });

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let realManifest: Buffer = Buffer.alloc(0);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('dup-manifest'));
  // The reference ts_default archive with the extra folder's MAR-INF/MANIFEST.json where TorchServe's walk puts it:
  // among the extra files, before the archiver's own manifest (always the last entry).
  const reference = await readZip(join(CASES_DIR, 'ts_default/mymodel.mar'));
  realManifest = reference.members.get(MANIFEST)?.data ?? Buffer.alloc(0);
  const files = reference.names.filter((name) => name !== MANIFEST).map((name) => ({ name, data: reference.members.get(name)?.data ?? Buffer.alloc(0) }));
  await writeFile(join(dir, 'dup.mar'), buildZip([...files, { name: MANIFEST, data: STALE }, { name: MANIFEST, data: realManifest }]));
  await writeFile(join(dir, 'dup-other.mar'), buildZip([...files, { name: 'a.txt', data: 'one' }, { name: 'a.txt', data: 'two' }, { name: MANIFEST, data: realManifest }]));
});
afterAll(async () => cleanup());

describe('two MAR-INF/MANIFEST.json entries (torch-model-archiver, extra folder holding MAR-INF/)', () => {
  it('inspect reads the last one, lists one manifest entry and warns', async () => {
    const run = await runCli(['inspect', 'dup.mar', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = jsonOf(run) as unknown as { manifest: { model: { modelName: string } }; entries: { path: string }[]; warnings: string[] };
    expect(report.manifest).toEqual(JSON.parse(realManifest.toString('utf8')));
    expect(report.entries.filter((e) => e.path === MANIFEST)).toHaveLength(1);
    expect(report.warnings).toHaveLength(1);
    const text = await runCli(['inspect', 'dup.mar'], dir);
    expect(text.exitCode).toBe(0);
    expect(text.stderr.startsWith('model-archiver: warning: ')).toBe(true);
  });

  it('takes the copy Python zipfile takes', async () => {
    if (!hasProgram('python3', ['--version'])) return;
    const python = execFileSync('python3', ['-c', "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read('MAR-INF/MANIFEST.json'))", join(dir, 'dup.mar')]);
    expect(python.equals(realManifest)).toBe(true);
  });

  it('verify passes with the warning (no integrity record, as every reference archive: --allow-unverified)', async () => {
    const run = await runCli(['verify', 'dup.mar', '--allow-unverified', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((jsonOf(run).warnings as string[]).length).toBe(1);
  });

  it('extract writes the last copy', async () => {
    const run = await runCli(['extract', 'dup.mar', 'out', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((jsonOf(run).warnings as string[]).length).toBe(1);
    expect((await readFile(join(dir, 'out', MANIFEST))).equals(realManifest)).toBe(true);
  });

  it('lint reports MA026 as a warning: passes by default, fails with --max-warnings 0', async () => {
    const run = await runCli(['lint', 'dup.mar', '--json'], dir);
    expect(run.exitCode, run.stdout).toBe(0);
    const findings = (jsonOf(run).results as { findings: { ruleId: string; severity: string }[] }[])[0]?.findings ?? [];
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'MA026', severity: 'warning' }));
    expect(findings.some((f) => f.severity === 'error')).toBe(false);
    expect((await runCli(['lint', 'dup.mar', '--max-warnings', '0'], dir)).exitCode).toBe(1);
  });

  it('still refuses a duplicate of any other name (ENTRY_DUPLICATE, exit 7)', async () => {
    for (const command of [['inspect', 'dup-other.mar'], ['verify', 'dup-other.mar'], ['extract', 'dup-other.mar', 'other']]) {
      const run = await runCli([...command, '--json'], dir);
      expect(run.exitCode, command.join(' ')).toBe(7);
      expect(errorCodeOf(run)).toBe('ENTRY_DUPLICATE');
    }
  });
});
