import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadModel, type LoadedModel } from '@model-archiver/runtime';

import { addModel, identityModel, softmaxClassifierModel } from '../../../fixtures/models/make-tiny-models.mjs';
import { tempArea, v2Body, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
beforeAll(async () => {
  area = await tempArea();
});
afterAll(async () => {
  await area.cleanup();
});

const loadOnnx = async (name: string, bytes: Uint8Array): Promise<LoadedModel> => {
  const dir = await writeModelArchive(path.join(area.root, `${name}.mar`), { handler: 'onnx', serializedFile: 'model.onnx', files: { 'model.onnx': bytes } });
  return loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true });
};

/** datatype -> [ONNX Runtime type, sample data sent, data expected back]. */
const CASES: [string, string, unknown[], unknown[]][] = [
  ['FP32', 'float32', [1.5, -2, 0.25, 3], [1.5, -2, 0.25, 3]],
  ['FP64', 'float64', [1e300, -2.5, 0, 1 / 3], [1e300, -2.5, 0, 1 / 3]],
  ['FP16', 'float16', [1, -2, 0.5, 65504], [1, -2, 0.5, 65504]],
  ['INT8', 'int8', [-128, 127, 0, 1], [-128, 127, 0, 1]],
  ['INT16', 'int16', [-32768, 32767, 0, 1], [-32768, 32767, 0, 1]],
  ['INT32', 'int32', [-2147483648, 2147483647, 0, 1], [-2147483648, 2147483647, 0, 1]],
  ['INT64', 'int64', [-1, '9007199254740993', 0, 2 ** 40], [-1, '9007199254740993', 0, 2 ** 40]],
  ['UINT8', 'uint8', [0, 255, 1, 2], [0, 255, 1, 2]],
  ['UINT16', 'uint16', [0, 65535, 1, 2], [0, 65535, 1, 2]],
  ['UINT32', 'uint32', [0, 4294967295, 1, 2], [0, 4294967295, 1, 2]],
  ['UINT64', 'uint64', [0, '18446744073709551615', 1, 2], [0, '18446744073709551615', 1, 2]],
  ['BOOL', 'bool', [true, false, 1, 0], [true, false, true, false]],
  ['BYTES', 'string', ['a', 'héllo', '', 'z'], ['a', 'héllo', '', 'z']],
];

describe('built-in onnx handler', () => {
  it.each(CASES)('round-trips a %s tensor through an identity model', async (datatype, type, sent, expected) => {
    const model = await loadOnnx(`identity-${type}`, identityModel(type));
    try {
      expect(model.metadata().inputs).toEqual([{ name: 'x', datatype, shape: ['N', 'D'] }]);
      const [response] = await model.handle([
        { body: v2Body([{ name: 'x', datatype, shape: [2, 2], data: sent }], { id: 'req-7' }), contentType: 'application/json' },
      ]);
      expect(response?.contentType).toBe('application/json');
      expect(response?.body).toEqual({
        model_name: 'test-model',
        model_version: '1.0',
        id: 'req-7',
        outputs: [{ name: 'y', datatype, shape: [2, 2], data: expected }],
      });
    } finally {
      await model.close();
    }
  });

  it('computes the softmax classifier by hand and answers each request of a batch', async () => {
    const model = await loadOnnx('softmax', softmaxClassifierModel());
    const body = (x: number[]) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: x }] });
    const responses = await model.handle([{ body: body([1, 2, 3, 4]) }, { body: body([0, 0, 0, 0]) }]);
    await model.close();
    const probs = responses.map((r) => (r.body as { outputs: { data: number[] }[] }).outputs[0]!.data);
    // logits = x·W + b: [3.1, 4.2, 5.3] and [0.1, 0.2, 0.3]
    const softmax = (v: number[]) => v.map((x) => Math.exp(x) / v.reduce((s, y) => s + Math.exp(y), 0));
    softmax([3.1, 4.2, 5.3]).forEach((p, i) => expect(probs[0]![i]).toBeCloseTo(p, 5));
    softmax([0.1, 0.2, 0.3]).forEach((p, i) => expect(probs[1]![i]).toBeCloseTo(p, 5));
  });

  it('returns only the requested outputs and takes several inputs', async () => {
    const model = await loadOnnx('add', addModel());
    const [response] = await model.handle([
      {
        body: {
          inputs: [
            { name: 'a', datatype: 'FP32', shape: [1, 2], data: [[1, 2]] },
            { name: 'b', datatype: 'FP32', shape: [1, 2], data: [10, 20] },
          ],
          outputs: [{ name: 'sum' }],
        },
      },
    ]);
    await model.close();
    expect((response?.body as { outputs: unknown[] }).outputs).toEqual([{ name: 'sum', datatype: 'FP32', shape: [1, 2], data: [11, 22] }]);
  });

  describe('bad input tensors', () => {
    let model: LoadedModel;
    beforeAll(async () => {
      model = await loadOnnx('softmax-bad', softmaxClassifierModel());
    });
    afterAll(async () => {
      await model.close();
    });
    const send = (body: unknown) => model.handle([{ body, contentType: 'application/json' }]);
    const x = (over: Record<string, unknown>) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4], ...over }] });

    it.each([
      ['an unknown input name', x({ name: 'nope' })],
      ['a wrong datatype', x({ datatype: 'INT32', data: [1, 2, 3, 4] })],
      ['an unknown datatype', x({ datatype: 'COMPLEX64' })],
      ['too few elements for the shape', x({ data: [1, 2, 3] })],
      ['a shape that does not fit the model', x({ shape: [2, 2] })],
      ['a non-numeric element', x({ data: [1, 'two', 3, 4] })],
      ['a negative dimension', x({ shape: [-1, 4] })],
      ['no inputs list', { instances: [] }],
      ['a missing input', { inputs: [] }],
      ['an unknown output', { ...x({}), outputs: [{ name: 'nope' }] }],
      ['a body that is not JSON', Buffer.from('not json')],
    ])('refuses %s with INPUT_INVALID', async (_label, body) => {
      await expect(send(body)).rejects.toMatchObject({ code: 'INPUT_INVALID' });
    });

    it('refuses integers out of range for their type', async () => {
      const int8 = await loadOnnx('identity-int8-range', identityModel('int8'));
      await expect(int8.handle([{ body: { inputs: [{ name: 'x', datatype: 'INT8', shape: [1, 1], data: [128] }] } }])).rejects.toMatchObject({
        code: 'INPUT_INVALID',
      });
      await int8.close();
    });
  });
});

describe('built-in onnx handler, outputs asked as binary data', () => {
  it('keeps the typed storage of an output asked as binary (typed input data used as it is), JSON for the others', async () => {
    const model = await loadOnnx('identity-binary', identityModel('float16'));
    try {
      const bits = Uint16Array.from([0x3c00, 0xc000]);
      const [binary] = await model.handle([
        { body: { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2], data: bits }], parameters: { binary_data_output: true } }, contentType: 'application/json', parameters: { binary_tensor_data: true } },
      ]);
      const output = (binary?.body as { outputs: { data: unknown }[] }).outputs[0]!;
      expect(output.data).toBeInstanceOf(Uint16Array);
      expect(Array.from(output.data as Uint16Array)).toEqual([0x3c00, 0xc000]);
      const [json] = await model.handle([
        { body: { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2], data: bits }], outputs: [{ name: 'y', parameters: { binary_data: false } }], parameters: { binary_data_output: true } }, contentType: 'application/json', parameters: { binary_tensor_data: true } },
      ]);
      expect((json?.body as { outputs: { data: unknown }[] }).outputs[0]!.data).toEqual([1, -2]);
      // Without the caller's word that it encodes binary outputs itself, every output is a JSON list.
      const [plain] = await model.handle([
        { body: { inputs: [{ name: 'x', datatype: 'FP16', shape: [1, 2], data: bits }], parameters: { binary_data_output: true } }, contentType: 'application/json' },
      ]);
      expect((plain?.body as { outputs: { data: unknown }[] }).outputs[0]!.data).toEqual([1, -2]);
    } finally {
      await model.close();
    }
  });
});
