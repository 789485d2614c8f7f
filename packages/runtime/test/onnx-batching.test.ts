import path from 'node:path';

import onnxProto from 'onnx-proto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { OnnxSession, loadModel, type LoadedModel } from '@model-archiver/runtime';

import { addModel, identityModel, imageClassifierModel, softmaxClassifierModel } from '../../../fixtures/models/make-tiny-models.mjs';
import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

const { onnx } = onnxProto;

/** `x` f32 [1,4] -> Identity -> `y` f32 [1,4]: a model whose batch dimension is fixed. */
const fixedBatchModel = (): Uint8Array => {
  const info = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: 'fixed', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [info('x')], output: [info('y')] },
    }),
  ).finish();
};

/** `x` f32 [1,3,8,8] -> GlobalAveragePool -> Flatten -> `logits` f32 [1,3]: an image model with a fixed batch of 1. */
const fixedImageModel = (): Uint8Array => {
  const info = (name: string, dims: number[]) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'fixed_image',
        node: [
          { opType: 'GlobalAveragePool', input: ['x'], output: ['pooled'] },
          { opType: 'Flatten', input: ['pooled'], output: ['logits'] },
        ],
        input: [info('x', [1, 3, 8, 8])],
        output: [info('logits', [1, 3])],
      },
    }),
  ).finish();
};

/** `x` f32 [N,2] -> Concat(x, x) along axis 0 -> `twice` f32 [2N,2]: an output whose rows are not the requests'. */
const doubledRowsModel = (): Uint8Array => {
  const info = (name: string, first: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: first }, { dimValue: 2 }] } } },
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'doubled_rows',
        node: [{ opType: 'Concat', input: ['x', 'x'], output: ['twice'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] }],
        input: [info('x', 'N')],
        output: [info('twice', 'M')],
      },
    }),
  ).finish();
};

let area: TempArea;
beforeAll(async () => {
  area = await tempArea();
});
afterAll(async () => {
  await area.cleanup();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const loadOnnx = async (name: string, bytes: Uint8Array, extra: Record<string, string | Uint8Array> = {}, handler = 'onnx'): Promise<LoadedModel> => {
  const dir = await writeModelArchive(path.join(area.root, `${name}.mar`), {
    handler,
    serializedFile: 'model.onnx',
    configFile: handler === 'onnx' ? undefined : 'model-config.yaml',
    files: { 'model.onnx': bytes, ...extra },
  });
  return loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true });
};

type V2Out = { id?: string; outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
const x = (data: unknown, shape: number[], id?: string) => ({
  body: { ...(id === undefined ? {} : { id }), inputs: [{ name: 'x', datatype: 'FP32', shape, data }] },
  contentType: 'application/json',
});

describe('built-in onnx handler batching', () => {
  it('runs three same-shape requests as one session.run with the answers of three single runs', async () => {
    const model = await loadOnnx('softmax-batch', softmaxClassifierModel());
    try {
      const requests = [x([1, 2, 3, 4], [1, 4], 'a'), x([[0, 0, 0, 0]], [1, 4], 'b'), x([-1, 0.5, 2, 0], [1, 4], 'c')];
      const singles: unknown[] = [];
      for (const request of requests) singles.push((await model.handle([request]))[0]?.body);
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const batched = await model.handle(requests);
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.calls[0]?.[0]['x']?.dims).toEqual([3, 4]);
      expect(batched.map((r) => r.body)).toEqual(singles);
      expect(batched.map((r) => (r.body as V2Out).id)).toEqual(['a', 'b', 'c']);
    } finally {
      await model.close();
    }
  });

  it('stacks requests of several rows and splits the rows back to their requests', async () => {
    const model = await loadOnnx('identity-rows', identityModel('int32'));
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([
        { body: { inputs: [{ name: 'x', datatype: 'INT32', shape: [2, 3], data: [[1, 2, 3], [4, 5, 6]] }] } },
        { body: { inputs: [{ name: 'x', datatype: 'INT32', shape: [1, 3], data: [7, 8, 9] }] } },
      ]);
      expect(run).toHaveBeenCalledTimes(1);
      expect(responses.map((r) => (r.body as V2Out).outputs[0])).toEqual([
        { name: 'y', datatype: 'INT32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
        { name: 'y', datatype: 'INT32', shape: [1, 3], data: [7, 8, 9] },
      ]);
    } finally {
      await model.close();
    }
  });

  it('groups mixed shapes and answers every request in order', async () => {
    const model = await loadOnnx('identity-mixed', identityModel('float32'));
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([x([1, 2], [1, 2]), x([3, 4, 5], [1, 3]), x([6, 7], [1, 2])]);
      expect(run).toHaveBeenCalledTimes(2);
      expect(responses.map((r) => (r.body as V2Out).outputs[0]?.data)).toEqual([[1, 2], [3, 4, 5], [6, 7]]);
    } finally {
      await model.close();
    }
  });

  it('stacks a model with two inputs', async () => {
    const model = await loadOnnx('add-batch', addModel());
    try {
      const body = (a: number[], b: number[]) => ({
        body: {
          inputs: [
            { name: 'b', datatype: 'FP32', shape: [1, 2], data: b },
            { name: 'a', datatype: 'FP32', shape: [1, 2], data: a },
          ],
        },
      });
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([body([1, 2], [10, 20]), body([3, 4], [30, 40])]);
      expect(run).toHaveBeenCalledTimes(1);
      expect(responses.map((r) => (r.body as V2Out).outputs[0]?.data)).toEqual([[11, 22], [33, 44]]);
    } finally {
      await model.close();
    }
  });

  it('runs request by request again when an output cannot be split per request', async () => {
    const model = await loadOnnx('doubled-rows', doubledRowsModel());
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([x([1, 2, 3, 4], [2, 2]), x([5, 6], [1, 2])]);
      // One stacked attempt ([3,2] in, [6,2] out: not splittable), then each request alone.
      expect(run).toHaveBeenCalledTimes(3);
      expect(responses.map((r) => (r.body as V2Out).outputs[0])).toEqual([
        { name: 'twice', datatype: 'FP32', shape: [4, 2], data: [1, 2, 3, 4, 1, 2, 3, 4] },
        { name: 'twice', datatype: 'FP32', shape: [2, 2], data: [5, 6, 5, 6] },
      ]);
    } finally {
      await model.close();
    }
  });

  it('refuses a batch with a bad request with INPUT_INVALID before running anything', async () => {
    const model = await loadOnnx('softmax-bad-batch', softmaxClassifierModel());
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      await expect(model.handle([x([1, 2, 3, 4], [1, 4]), x([1, 2, 3], [1, 3]), x([1, 2, 3, 4], [1, 4])])).rejects.toMatchObject({
        code: 'INPUT_INVALID',
      });
      expect(run).not.toHaveBeenCalled();
      await expect(model.handle([x([1, 2, 3, 4], [1, 4])])).resolves.toHaveLength(1);
    } finally {
      await model.close();
    }
  });

  it('runs request by request when the batch dimension is fixed', async () => {
    const model = await loadOnnx('fixed-batch', fixedBatchModel());
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([x([1, 2, 3, 4], [1, 4]), x([5, 6, 7, 8], [1, 4]), x([0, 0, 0, 1], [1, 4])]);
      expect(run).toHaveBeenCalledTimes(3);
      expect(responses.map((r) => (r.body as V2Out).outputs[0]?.data)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [0, 0, 0, 1]]);
    } finally {
      await model.close();
    }
  });
});

describe('built-in image_classifier batching', () => {
  const CONFIG = 'image_classifier:\n  mean: 0\n  std: 1\n  topK: 1\n  softmax: false\n';

  it.each([
    ['a dynamic batch dimension in one run', imageClassifierModel(), 1],
    ['a fixed batch dimension of 1 in one run per image', fixedImageModel(), 3],
  ])('classifies a batch of three images with %s', async (_label, bytes, runs) => {
    const { default: sharp } = await import('sharp');
    const solid = (r: number, g: number, b: number): Promise<Buffer> =>
      sharp({ create: { width: 8, height: 8, channels: 3, background: { r, g, b } } }).png().toBuffer();
    const model = await loadOnnx(`image-${runs}`, bytes, { 'model-config.yaml': CONFIG, 'synset.txt': 'red\ngreen\nblue\n' }, 'image_classifier');
    try {
      const run = vi.spyOn(OnnxSession.prototype, 'run');
      const responses = await model.handle([
        { body: await solid(250, 0, 0) },
        { body: await solid(0, 0, 250) },
        { body: await solid(0, 250, 0) },
      ]);
      expect(run).toHaveBeenCalledTimes(runs);
      expect(responses.map((r) => (r.body as { class: string }[])[0]?.class)).toEqual(['red', 'blue', 'green']);
    } finally {
      await model.close();
    }
  });
});
