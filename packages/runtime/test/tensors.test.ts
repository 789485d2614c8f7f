import { describe, expect, it } from 'vitest';

import { parseV2Tensor, toTensorData } from '../src/onnx/tensors.js';

const input = (data: unknown, shape: number[], datatype = 'FP32') => ({ name: 'x', datatype, shape, data });

describe('v2 tensor parsing', () => {
  it('reads flat and nested data to the same values', () => {
    const flat = parseV2Tensor(input([1, 2, 3, 4, 5, 6], [2, 3]), 0);
    const nested = parseV2Tensor(input([[1, 2, 3], [4, 5, 6]], [2, 3]), 0);
    expect(nested.values).toEqual(flat.values);
    expect(Array.from(toTensorData('float32', flat.values, 'x') as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fills each typed array directly, with NaN and infinities given as strings', () => {
    const data = toTensorData('float64', [1.5, 'NaN', 'Infinity', '-Infinity'], 'x') as Float64Array;
    expect(data).toBeInstanceOf(Float64Array);
    expect(Array.from(data)).toEqual([1.5, NaN, Infinity, -Infinity]);
    expect(toTensorData('uint16', [0, 65535], 'x')).toEqual(Uint16Array.from([0, 65535]));
    expect(Array.from(toTensorData('float16', [1, -2], 'x') as Uint16Array)).toEqual([0x3c00, 0xc000]);
  });

  it.each([
    ['a list mixing numbers and lists', input([1, [2, 3], 4], [2, 2])],
    ['a string element in a flat list', input([1, 'two', 3, 4], [2, 2])],
    ['an integer out of range', input([1, 300], [2], 'UINT8')],
    ['a fraction for an integer type', input([1, 2.5], [2], 'INT32')],
  ])('refuses %s with INPUT_INVALID', (_label, raw) => {
    expect(() => {
      const { type, values } = parseV2Tensor(raw, 0);
      toTensorData(type, values, 'x');
    }).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});
