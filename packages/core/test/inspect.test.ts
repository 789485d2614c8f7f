import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildFileTree } from '../src/inspect/file-tree.js';
import { inspectArchive } from '../src/inspect/inspect-archive.js';
import { generateSigningKeys } from '../src/integrity/keys.js';
import { signArchive } from '../src/sign/sign-archive.js';
import { buildNodeArchive, REFERENCE, REFERENCE_ARCHIVES, tempDir, tinyModel, writeZip } from './lint-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('inspect')));
afterEach(async () => cleanup());

describe('inspectArchive', () => {
  it('shows flavour, manifest, entries with digests from the record, and the ONNX model inputs and outputs', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 17 });
    const report = await inspectArchive(built.outputPath);
    expect(report).toMatchObject({ format: 'zip', flavour: 'node', manifestPath: 'MAR-INF/MANIFEST.json', integrity: { present: true, signed: false } });
    expect(report.manifest).toMatchObject({ model: { handler: 'handler.mjs', serializedFile: 'model.onnx' } });
    const model = report.entries.find((e) => e.path === 'model.onnx');
    const recorded = built.entries.find((e) => e.path === 'model.onnx');
    expect(model).toMatchObject({ type: 'file', size: recorded?.size, sha256: recorded?.sha256 });
    expect(model?.crc32).toMatch(/^[0-9a-f]{8}$/);
    expect(report.onnx).toEqual([
      {
        path: 'model.onnx',
        info: expect.objectContaining({
          defaultOpset: 17,
          inputs: [{ name: 'x', type: 'tensor(float32)', shape: ['N', 4] }],
          outputs: [{ name: 'probs', type: 'tensor(float32)', shape: ['N', 3] }],
        }),
      },
    ]);
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ flavour: 'node' });
  });

  it.each(REFERENCE_ARCHIVES)('reads reference archive %s as what it is', async (name) => {
    const report = await inspectArchive(join(REFERENCE, name));
    expect(report.manifestError).toBeUndefined();
    expect(report.flavour).toBe(name.startsWith('ts_') ? 'torchserve' : 'mms');
    expect(report.format).toBe(name.endsWith('.tar.gz') ? 'tgz' : 'zip');
    expect(report.integrity.present).toBe(false);
    if (report.format === 'tgz') expect(report.root).toBeDefined();
    expect(report.entries.map((e) => e.path)).toContain('MAR-INF/MANIFEST.json');
  });

  it('reports a missing manifest and a broken ONNX model without throwing', async () => {
    const path = await writeZip(join(dir, 'odd.mar'), [
      { name: 'broken.onnx', data: 'not a model' },
      { name: 'good.onnx', data: tinyModel(11) },
    ]);
    const report = await inspectArchive(path);
    expect(report.manifestError?.code).toBe('MANIFEST_MISSING');
    expect(report.onnx.find((m) => m.path === 'broken.onnx')?.error?.code).toBe('MODEL_LOAD_FAILED');
    expect(report.onnx.find((m) => m.path === 'good.onnx')?.info?.defaultOpset).toBe(11);
  });

  it('skips ONNX models over the size limit or when asked to', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13 });
    expect((await inspectArchive(built.outputPath, { maxOnnxBytes: 10 })).onnx[0]?.skipped).toBeDefined();
    expect((await inspectArchive(built.outputPath, { onnx: false })).onnx[0]?.info).toBeUndefined();
  });

  it('shows the key of a signed archive', async () => {
    const built = await buildNodeArchive(dir);
    const keys = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: keys.privateKeyPem });
    expect((await inspectArchive(built.outputPath)).integrity).toMatchObject({ present: true, signed: true, keyId: keys.keyId });
  });

  it('refuses a path that is not an archive with its reader code', async () => {
    await expect(inspectArchive(join(dir, 'nope.mar'))).rejects.toMatchObject({ code: 'ARCHIVE_NOT_FOUND' });
  });
});

describe('buildFileTree', () => {
  it('nests paths into folders, sums sizes upwards and sorts folders first', () => {
    const tree = buildFileTree([
      { path: 'b.txt', size: 1 },
      { path: 'MAR-INF/MANIFEST.json', size: 10 },
      { path: 'sub/deeper/x.bin', size: 100 },
      { path: 'sub/a.json', size: 5 },
      { path: 'empty/', size: 0, type: 'directory' },
    ]);
    expect(tree.size).toBe(116);
    expect(tree.children?.map((c) => c.name)).toEqual(['MAR-INF', 'empty', 'sub', 'b.txt']);
    const sub = tree.children?.find((c) => c.name === 'sub');
    expect(sub).toMatchObject({ path: 'sub', size: 105 });
    expect(sub?.children?.map((c) => c.path)).toEqual(['sub/deeper', 'sub/a.json']);
  });
});
