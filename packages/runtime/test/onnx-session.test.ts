import { spawnSync } from 'node:child_process';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadModel } from '@model-archiver/runtime';

import { softmaxClassifierModel } from '../../../fixtures/models/make-tiny-models.mjs';
import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
let modelDir: string;
beforeAll(async () => {
  area = await tempArea();
  modelDir = await writeModelArchive(path.join(area.root, `${'softmax'}.mar`), {
    handler: 'onnx',
    serializedFile: 'model.onnx',
    files: { 'model.onnx': softmaxClassifierModel() },
  });
});
afterAll(async () => {
  await area.cleanup();
});

const hasNvidiaGpu = spawnSync('nvidia-smi', ['-L']).status === 0;

const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

describe('execution providers', () => {
  it('falls back from cuda to cpu with one warning naming the provider', async () => {
    const warnings: string[] = [];
    const model = await loadModel(modelDir, { cacheDir: area.cacheDir, allowUnverified: true, executionProviders: ['cuda', 'cpu'], onWarning: (m) => warnings.push(m) });
    const [response] = await model.handle([{ body }]);
    await model.close();
    expect(response?.status).toBe(200);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('cuda');
  });

  it('falls back to cpu when the list has no cpu and its providers are unknown', async () => {
    const warnings: string[] = [];
    const model = await loadModel(modelDir, { cacheDir: area.cacheDir, allowUnverified: true, executionProviders: ['tensorrt', 'nosuch'], onWarning: (m) => warnings.push(m) });
    await expect(model.handle([{ body }])).resolves.toHaveLength(1);
    await model.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('nosuch');
  });

  it('does not warn when cpu is asked for', async () => {
    const warnings: string[] = [];
    const model = await loadModel(modelDir, { cacheDir: area.cacheDir, allowUnverified: true, executionProviders: ['cpu'], onWarning: (m) => warnings.push(m) });
    await model.close();
    expect(warnings).toEqual([]);
  });

  it('takes providers and tuning from the model config and refuses bad settings', async () => {
    const dir = await writeModelArchive(path.join(area.root, `${'tuned'}.mar`), {
      handler: 'onnx',
      serializedFile: 'model.onnx',
      configFile: 'config.yaml',
      files: { 'model.onnx': softmaxClassifierModel(), 'config.yaml': 'onnx:\n  graphOptimizationLevel: sometimes\n' },
    });
    await expect(loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const model = await loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true, graphOptimizationLevel: 'basic', intraOpNumThreads: 1 });
    await expect(model.handle([{ body }])).resolves.toHaveLength(1);
    await model.close();
  });

  it('fails with EXECUTION_PROVIDER_UNAVAILABLE instead of falling back when the first provider is required', async () => {
    const required = { cacheDir: area.cacheDir, allowUnverified: true, requireExecutionProvider: true };
    await expect(loadModel(modelDir, { ...required, executionProviders: ['nosuch', 'cpu'] })).rejects.toMatchObject({
      code: 'EXECUTION_PROVIDER_UNAVAILABLE',
      details: { provider: 'nosuch', available: expect.arrayContaining(['cpu']) as unknown },
    });
    // No GPU on CI machines: CUDA cannot load, and a required CUDA must not become CPU.
    if (!hasNvidiaGpu) {
      await expect(loadModel(modelDir, { ...required, executionProviders: ['cuda', 'cpu'] })).rejects.toMatchObject({
        code: 'EXECUTION_PROVIDER_UNAVAILABLE',
        details: { provider: 'cuda' },
      });
    }
    const cpu = await loadModel(modelDir, { ...required, executionProviders: ['cpu'] });
    await expect(cpu.handle([{ body }])).resolves.toHaveLength(1);
    await cpu.close();
  });

  it('takes requireExecutionProvider from the model config', async () => {
    const dir = await writeModelArchive(path.join(area.root, 'required.mar'), {
      handler: 'onnx',
      serializedFile: 'model.onnx',
      configFile: 'config.yaml',
      files: { 'model.onnx': softmaxClassifierModel(), 'config.yaml': 'onnx:\n  executionProviders: [nosuch, cpu]\n  requireExecutionProvider: true\n' },
    });
    await expect(loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true })).rejects.toMatchObject({ code: 'EXECUTION_PROVIDER_UNAVAILABLE' });
    const fallback = await loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true, requireExecutionProvider: false });
    await fallback.close();
  });

  it('refuses a bad batch size or GPU id', async () => {
    await expect(loadModel(modelDir, { cacheDir: area.cacheDir, allowUnverified: true, batchSize: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(loadModel(modelDir, { cacheDir: area.cacheDir, allowUnverified: true, gpuId: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('reports a model ONNX Runtime cannot load', async () => {
    const dir = await writeModelArchive(path.join(area.root, `${'garbage'}.mar`), {
      handler: 'onnx',
      serializedFile: 'model.onnx',
      files: { 'model.onnx': Buffer.from('this is not a protobuf model') },
    });
    await expect(loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true })).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });
});
