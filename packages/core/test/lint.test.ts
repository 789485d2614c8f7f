import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import { pack as createPack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { lintArchives } from '../src/lint/lint-archives.js';
import { LINT_RULE_INFO } from '../src/lint/lint-rules.js';
import { generateSigningKeys } from '../src/integrity/keys.js';
import { createSignature, serializeSignature } from '../src/integrity/signature.js';
import { signArchive } from '../src/sign/sign-archive.js';
import {
  buildNodeArchive,
  REFERENCE,
  REFERENCE_ARCHIVES,
  tempDir,
  tinyModel,
  writeZip,
  writeZipWithDataDescriptors,
  entriesOf,
} from './lint-fixtures.js';
import type { ZipEntrySpec } from './lint-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('lint')));
afterEach(async () => cleanup());

const nodeManifest = (model: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string =>
  JSON.stringify({
    manifestVersion: 1,
    createdOn: '2024-01-02T00:00:00Z',
    runtime: 'node',
    model: { modelName: 'm', handler: 'handler.mjs', modelVersion: '1.0', ...model },
    archiverVersion: '0.1.0',
    ...top,
  });

const HANDLER = { name: 'handler.mjs', data: 'export async function handle(batch) { return batch; }\n' };

/** Lints one archive made of these entries and returns the rule ids found. */
async function ruleIds(entries: ZipEntrySpec[], options: Parameters<typeof lintArchives>[1] = {}): Promise<string[]> {
  const path = await writeZip(join(dir, `case-${Math.random().toString(36).slice(2)}.mar`), entries);
  return idsOf(path, options);
}

async function idsOf(path: string, options: Parameters<typeof lintArchives>[1] = {}): Promise<string[]> {
  const report = await lintArchives([path], options);
  return report.results.flatMap((r) => r.findings.map((f) => f.ruleId));
}


describe('lintArchives on good archives', () => {
  it('finds nothing in a freshly built node archive', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13 });
    const report = await lintArchives([built.outputPath], { verify: true });
    expect(report.results[0]?.findings).toEqual([]);
    expect(report.results[0]?.flavour).toBe('node');
  });

  it('lints every reference archive without errors, with a note for the missing record', async () => {
    const report = await lintArchives(REFERENCE_ARCHIVES.map((name) => join(REFERENCE, name)), { concurrency: 3 });
    expect(report.errorCount).toBe(0);
    expect(report.results.map((r) => r.archive)).toEqual(REFERENCE_ARCHIVES.map((name) => join(REFERENCE, name)));
    for (const result of report.results) {
      expect(result.findings.map((f) => f.ruleId)).toContain('MA018');
      expect(result.flavour).toBe(result.archive.includes('/ts_') ? 'torchserve' : 'mms');
    }
    // MMS stores a handler named `h` that is not in the archive: a warning, since the worker may have it installed.
    const empty = report.results.find((r) => r.archive.endsWith('empty.mar'));
    expect(empty?.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['MA008:warning', 'MA018:note']);
  });

  it('expands globs relative to cwd and reports a glob that matches nothing', async () => {
    const report = await lintArchives(['*/*.mar', 'nothing/*.mar'], { cwd: REFERENCE });
    expect(report.results.filter((r) => r.archive.startsWith(REFERENCE))).toHaveLength(8);
    const missing = report.results.at(-1);
    expect(missing?.archive).toBe('nothing/*.mar');
    expect(missing?.findings).toEqual([expect.objectContaining({ ruleId: 'MA001', code: 'ARCHIVE_NOT_FOUND', severity: 'error' })]);
    const reordered = await lintArchives(['nothing/*.mar', 'ts_minimal/minimal.mar'], { cwd: REFERENCE });
    expect(reordered.results.map((r) => r.archive)).toEqual(['nothing/*.mar', join(REFERENCE, 'ts_minimal/minimal.mar')]);
  });

  it('documents every rule with a unique stable id, each in docs/lint-rules.md', async () => {
    const docs = await readFile(new URL('../../../docs/lint-rules.md', import.meta.url), 'utf8');
    for (const rule of LINT_RULE_INFO) expect(docs).toContain(`### ${rule.id} ${rule.name}`);
    const ids = LINT_RULE_INFO.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    for (const rule of LINT_RULE_INFO) expect(rule.id).toMatch(/^MA\d{3}$/);
  });
});

describe('lint rules', () => {
  it('MA001: an unreadable archive', async () => {
    await writeFile(join(dir, 'junk.mar'), 'not an archive');
    const report = await lintArchives([join(dir, 'junk.mar')]);
    expect(report.results[0]?.findings).toEqual([expect.objectContaining({ ruleId: 'MA001', code: 'ARCHIVE_FORMAT_UNKNOWN' })]);
  });

  it('MA002: no manifest', async () => {
    expect(await ruleIds([HANDLER])).toContain('MA002');
  });

  it('MA003: a manifest that fails its flavour schema', async () => {
    expect(await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({}, { typo: 1 }) }])).toContain('MA003');
    expect(await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: '{ not json' }])).toContain('MA003');
  });

  it('MA004 / MA005 / MA006: model name and version rules', async () => {
    expect(await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ modelName: 'bad name' }) }])).toContain('MA004');
    const unsafe = await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ modelName: 'a..b' }) }]);
    expect(unsafe).toContain('MA005');
    expect(unsafe).not.toContain('MA004');
    expect(await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ modelVersion: '1/0' }) }])).toContain('MA006');
  });

  it('MA007: a file the manifest names is not in the archive', async () => {
    expect(await ruleIds([HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ serializedFile: 'model.onnx' }) }])).toContain('MA007');
  });

  it('MA008: a Python handler module that is not in the archive', async () => {
    const mms = JSON.stringify({ runtime: 'python', model: { modelName: 'm', handler: 'svc:handle' }, specificationVersion: '1.0' });
    expect(await ruleIds([{ name: 'MAR-INF/MANIFEST.json', data: mms }])).toContain('MA008');
    expect(await ruleIds([{ name: 'svc.py', data: 'def handle(d, c): pass' }, { name: 'MAR-INF/MANIFEST.json', data: mms }])).not.toContain('MA008');
  });

  it('MA009 / MA010 / MA011: the node handler module and its exports, read without running it', async () => {
    const manifest = { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ handler: 'lib/h:run' }) };
    expect(await ruleIds([manifest])).toContain('MA009');
    expect(await ruleIds([{ name: 'lib/h.cjs', data: 'exports.other = 1;' }, manifest])).toContain('MA010');
    expect(await ruleIds([{ name: 'lib/h.cjs', data: 'exports.run = async () => [];' }, manifest])).toEqual(['MA018']);
    const starred = await ruleIds([{ name: 'lib/h.mjs', data: "export * from './impl.mjs';" }, manifest]);
    expect(starred).toContain('MA011');
    expect(starred).not.toContain('MA010');
    const classes = { name: 'MAR-INF/MANIFEST.json', data: nodeManifest({ handler: 'handler.mjs' }) };
    expect(await ruleIds([{ name: 'handler.mjs', data: 'export class A {}\nexport class B {}' }, classes])).toContain('MA010');
    expect(await ruleIds([{ name: 'handler.mjs', data: 'export class Only { handle() {} }' }, classes])).toEqual(['MA018']);
  });

  it('MA012: duplicate entry names', async () => {
    const path = await writeZipWithDataDescriptors(join(dir, 'dup.mar'), [
      { name: 'a.txt', data: 'one' },
      { name: 'a.txt', data: 'two' },
    ]);
    expect(await idsOf(path)).toEqual(['MA012']);
  });

  it('MA013 / MA014: names that collide by case and entries under the reserved MAR-INF/ folder', async () => {
    const manifest = { name: 'MAR-INF/MANIFEST.json', data: nodeManifest() };
    expect(await ruleIds([HANDLER, manifest, { name: 'README.txt', data: 'a' }, { name: 'readme.txt', data: 'b' }])).toContain('MA013');
    expect(await ruleIds([HANDLER, manifest, { name: 'MAR-INF/secret.txt', data: 'x' }])).toContain('MA014');
  });

  it('MA015: a tgz without a single root folder', async () => {
    const path = join(dir, 'flat.tar.gz');
    const tar = createPack();
    tar.entry({ name: 'handler.mjs' }, HANDLER.data);
    tar.entry({ name: 'MAR-INF/MANIFEST.json' }, nodeManifest());
    tar.finalize();
    await pipeline(tar as unknown as NodeJS.ReadableStream, createGzip(), createWriteStream(path));
    expect(await idsOf(path)).toContain('MA015');
  });

  it('MA016: a large deflated entry that did not shrink', async () => {
    const manifest = { name: 'MAR-INF/MANIFEST.json', data: nodeManifest() };
    const weights = randomBytes(1536 * 1024);
    expect(await ruleIds([HANDLER, manifest, { name: 'w.bin', data: weights, compression: 'deflate' }])).toContain('MA016');
    expect(await ruleIds([HANDLER, manifest, { name: 'w.bin', data: weights, compression: 'store' }])).not.toContain('MA016');
  });

  it('MA017: stored entries with data descriptors', async () => {
    const path = await writeZipWithDataDescriptors(join(dir, 'dd.mar'), [HANDLER, { name: 'MAR-INF/MANIFEST.json', data: nodeManifest() }]);
    expect(await idsOf(path)).toContain('MA017');
  });

  it('MA019: entries that differ from the integrity record; same-length changes need verify', async () => {
    const built = await buildNodeArchive(dir, { extra: { 'a.txt': 'original' } });
    const entries = await entriesOf(built.outputPath);
    const sameLength = await writeZip(join(dir, 'same.mar'), entries.map((e) => (e.name === 'a.txt' ? { ...e, data: 'ORIGINAL' } : e)));
    expect(await idsOf(sameLength)).not.toContain('MA019');
    expect(await idsOf(sameLength, { verify: true })).toContain('MA019');
    const extra = await writeZip(join(dir, 'extra.mar'), [...entries, { name: 'smuggled.mjs', data: 'x' }]);
    expect(await idsOf(extra)).toContain('MA019');
  });

  it('MA020: a signature that does not match the record', async () => {
    const built = await buildNodeArchive(dir);
    await signArchive(built.outputPath, { privateKey: generateSigningKeys().privateKeyPem });
    expect(await idsOf(built.outputPath)).toEqual([]);
    const forged = serializeSignature(createSignature(Buffer.from('another record'), generateSigningKeys().privateKeyPem));
    const entries = (await entriesOf(built.outputPath)).map((e) => (e.name === 'MAR-INF/signature.json' ? { ...e, data: forged } : e));
    expect(await idsOf(await writeZip(join(dir, 'forged.mar'), entries))).toEqual(['MA020']);
  });

  it('MA021 / MA022 / MA023: ONNX models that do not parse, or whose opset onnxruntime-node cannot run', async () => {
    const manifest = { name: 'MAR-INF/MANIFEST.json', data: nodeManifest() };
    expect(await ruleIds([HANDLER, manifest, { name: 'model.onnx', data: 'garbage' }])).toContain('MA021');
    expect(await ruleIds([HANDLER, manifest, { name: 'model.onnx', data: tinyModel(27) }])).toContain('MA022');
    expect(await ruleIds([HANDLER, manifest, { name: 'model.onnx', data: tinyModel(26) }])).toEqual(['MA018']);
    expect(await ruleIds([HANDLER, manifest, { name: 'model.onnx', data: tinyModel(6) }])).toContain('MA023');
  });

  it('MA024: the loader given for --load reports a handler that fails to load', async () => {
    const built = await buildNodeArchive(dir);
    const loaded: string[] = [];
    const report = await lintArchives([built.outputPath], {
      loadHandler: async (path) => {
        loaded.push(path);
        return [{ message: 'initialize threw', code: 'HANDLER_INIT_FAILED' }];
      },
    });
    expect(loaded).toEqual([built.outputPath]);
    expect(report.results[0]?.findings).toEqual([expect.objectContaining({ ruleId: 'MA024', code: 'HANDLER_INIT_FAILED', severity: 'error' })]);
  });
});
