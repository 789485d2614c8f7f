import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { buildArchive } from '@model-archiver/core';
import onnxProto from 'onnx-proto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { errorCodeOf, jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

const REFERENCE = join(REPO_ROOT, 'fixtures/reference-fixture/cases');
const { onnx } = onnxProto;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('inspect')));
afterEach(async () => cleanup());

const F = onnx.TensorProto.DataType.FLOAT;
const tensor = (name: string, dims: Array<number | string>) => ({
  name,
  type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

describe('model-archiver inspect', () => {
  it('prints the flavour, the file tree and the ONNX inputs and outputs of a built archive', async () => {
    const model = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 13 }],
        graph: { name: 'g', node: [{ opType: 'Relu', input: ['x'], output: ['y'] }], input: [tensor('x', ['N', 4])], output: [tensor('y', ['N', 4])] },
      }),
    ).finish();
    await writeFile(join(dir, 'model.onnx'), model);
    await writeFile(join(dir, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
    const built = await buildArchive({ modelName: 'relu', version: '1.0', handler: 'handler.mjs', serializedFile: 'model.onnx', flavour: 'node', cwd: dir, exportPath: join(dir, 'out') });
    const text = await runCli(['inspect', built.outputPath], dir);
    expect(text.exitCode).toBe(0);
    for (const part of ['node', 'model.onnx', 'handler.mjs', 'input  x: tensor(float32) [N, 4]', 'output y: tensor(float32) [N, 4]']) {
      expect(text.stdout).toContain(part);
    }
    const json = await runCli(['inspect', built.outputPath, '--json'], dir);
    expect(jsonOf(json)).toMatchObject({ ok: true, flavour: 'node', format: 'zip', onnx: [{ path: 'model.onnx', info: { defaultOpset: 13 } }] });
  });

  it.each(['mms_default/mymodel.mar', 'ts_tgz/mymodel.tar.gz', 'ts_zipstore/mymodel.mar'])('inspects reference archive %s', async (name) => {
    const run = await runCli(['inspect', join(REFERENCE, name), '--json'], dir);
    expect(run.exitCode).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, flavour: name.startsWith('ts_') ? 'torchserve' : 'mms', integrity: { present: false } });
  });

  it('shows an invalid manifest and exits 3 (MANIFEST_INVALID); verify exits 3 for it too', async () => {
    const { buildZip } = await import('../../../../fixtures/hostile/zip-builder.mjs');
    await writeFile(join(dir, 'bad.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: '{ not json' }, { name: 'a.txt', data: 'a' }]));
    const text = await runCli(['inspect', 'bad.mar'], dir);
    expect(text.exitCode).toBe(3);
    expect(text.stdout).toContain('MANIFEST_INVALID');
    const json = await runCli(['inspect', 'bad.mar', '--json'], dir);
    expect(json.exitCode).toBe(3);
    expect(jsonOf(json)).toMatchObject({ ok: false, manifestError: { code: 'MANIFEST_INVALID' }, exitCode: 3 });
    const verified = await runCli(['verify', 'bad.mar', '--allow-unverified', '--json'], dir);
    expect(verified.exitCode).toBe(3);
    expect(jsonOf(verified)).toMatchObject({ ok: false, manifest: 'invalid', failures: ['MANIFEST_INVALID'] });
  });

  it('exits 4 with ARCHIVE_NOT_FOUND for a missing archive and 7 for a file that is not one', async () => {
    const missing = await runCli(['inspect', 'nope.mar', '--json'], dir);
    expect(missing.exitCode).toBe(4);
    expect(errorCodeOf(missing)).toBe('ARCHIVE_NOT_FOUND');
    await writeFile(join(dir, 'junk.mar'), 'junk');
    expect((await runCli(['inspect', 'junk.mar'], dir)).exitCode).toBe(7);
  });
});
