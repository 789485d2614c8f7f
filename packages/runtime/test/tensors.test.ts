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

describe('typed tensor data (binary tensor data extension)', () => {
  it('uses a typed array of the type\'s storage as it is and checks its element count', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const parsed = parseV2Tensor({ name: 'x', datatype: 'FP32', shape: [2, 2], data }, 0);
    expect(toTensorData(parsed.type, parsed.values, 'x')).toBe(data);
    expect(() => parseV2Tensor({ name: 'x', datatype: 'FP32', shape: [3], data }, 0)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });

  it('converts a typed array of another element type and refuses BOOL bytes other than 0 and 1', () => {
    const converted = toTensorData('float64', new Float32Array([0.5]), 'x');
    expect(converted).toBeInstanceOf(Float64Array);
    expect(Array.from(converted as Float64Array)).toEqual([0.5]);
    expect(() => toTensorData('bool', Uint8Array.from([2]), 'x')).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});
