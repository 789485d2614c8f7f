import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadModel, type LoadedModel } from '@model-archiver/runtime';

import { imageClassifierModel } from '../../../fixtures/models/make-tiny-models.mjs';
import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
beforeAll(async () => {
  area = await tempArea();
});
afterAll(async () => {
  await area.cleanup();
});

const solid = (r: number, g: number, b: number, format: 'png' | 'jpeg', size = 20): Promise<Buffer> =>
  sharp({ create: { width: size, height: size + 5, channels: 3, background: { r, g, b } } })[format]().toBuffer();

const CONFIG = 'image_classifier:\n  mean: 0\n  std: 1\n  topK: 2\n  softmax: true\n';

const load = async (name: string, labels: Record<string, string>): Promise<LoadedModel> => {
  const dir = await writeModelArchive(path.join(area.root, `${name}.mar`), {
    handler: 'image_classifier',
    serializedFile: 'model.onnx',
    configFile: 'model-config.yaml',
    files: { 'model.onnx': imageClassifierModel(), 'model-config.yaml': CONFIG, ...labels },
  });
  return loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true });
};

describe('built-in image_classifier', () => {
  it('decodes PNG and JPEG, applies softmax and answers the top k with index_to_name.json labels', async () => {
    const labels = { 'index_to_name.json': JSON.stringify({ 0: ['n00000001', 'red'], 1: ['n00000002', 'green'], 2: ['n00000003', 'blue'] }) };
    const model = await load('rgb-index', labels);
    const responses = await model.handle([
      { body: await solid(255, 0, 0, 'png'), contentType: 'image/png' },
      { body: await solid(0, 0, 255, 'jpeg'), contentType: 'image/jpeg' },
    ]);
    await model.close();
    const [red, blue] = responses.map((r) => r.body as { probability: number; class: string }[]);
    expect(red?.map((c) => c.class)[0]).toBe('n00000001 red');
    expect(red).toHaveLength(2);
    // logits [1, 0, 0] -> softmax e / (e + 2)
    expect(red?.[0]?.probability).toBeCloseTo(Math.E / (Math.E + 2), 2);
    expect(blue?.[0]?.class).toBe('n00000003 blue');
  });

  it('reads labels from synset.txt as MMS does', async () => {
    const model = await load('rgb-synset', { 'synset.txt': 'n1 red\nn2 green\nn3 blue\n' });
    const [response] = await model.handle([{ body: (await solid(0, 200, 0, 'png')).toString('base64'), contentType: 'text/plain' }]);
    await model.close();
    expect((response?.body as { class: string }[])[0]?.class).toBe('n2 green');
  });

  it('runs a TorchServe archive whose handler is image_classifier', async () => {
    const dir = await writeModelArchive(path.join(area.root, 'torchserve.mar'), {
      handler: 'image_classifier',
      manifest: {
        createdOn: '01/01/2026 00:00:00',
        runtime: 'python',
        model: { modelName: 'ts-model', serializedFile: 'model.onnx', handler: 'image_classifier', modelVersion: '2.0', configFile: 'model-config.yaml' },
        archiverVersion: '0.12.0',
      },
      files: { 'model.onnx': imageClassifierModel(), 'model-config.yaml': CONFIG, 'synset.txt': 'red\ngreen\nblue\n' },
    });
    const model = await loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true });
    const [response] = await model.handle([{ body: await solid(0, 0, 250, 'png'), contentType: 'image/png' }]);
    await model.close();
    expect([model.name, model.version]).toEqual(['ts-model', '2.0']);
    expect((response?.body as { class: string }[])[0]?.class).toBe('blue');
  });

  it('refuses a body that is not an image', async () => {
    const model = await load('rgb-bad', {});
    await expect(model.handle([{ body: Buffer.from('definitely not a png'), contentType: 'image/png' }])).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      details: { request: 0 },
    });
    await model.close();
  });
});
