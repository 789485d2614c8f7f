import { describe, expect, it } from 'vitest';

import { decodeV2Request, encodeV2Response } from '../src/workers/kserve-binary.js';

const frame = (header: unknown, ...data: Uint8Array[]): { body: Uint8Array; length: string } => {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...data]), length: String(json.length) };
};

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
};

describe('binary tensor data extension codec', () => {
  it('decodes every datatype from little-endian bytes, misaligned or not, BYTES as length-prefixed strings', () => {
    const int64 = new BigInt64Array([-(2n ** 40n), 7n]);
    const bytesTensor = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from('hi'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc')]);
    const { body, length } = frame(
      {
        inputs: [
          { name: 'a', datatype: 'BOOL', shape: [3], parameters: { binary_data_size: 3 } },
          { name: 'b', datatype: 'INT64', shape: [2], parameters: { binary_data_size: 16 } },
          { name: 'c', datatype: 'FP32', shape: [1], data: [1.5] },
          { name: 'd', datatype: 'BYTES', shape: [2], parameters: { binary_data_size: bytesTensor.length } },
          { name: 'e', datatype: 'FP16', shape: [1], parameters: { binary_data_size: 2 } },
        ],
      },
      Uint8Array.from([1, 0, 1]),
      new Uint8Array(int64.buffer),
      bytesTensor,
      Uint8Array.from([0x00, 0x3c]),
    );
    const request = decodeV2Request(body, length);
    const inputs = request.inputs as { data: unknown }[];
    expect(Array.from(inputs[0]!.data as Uint8Array)).toEqual([1, 0, 1]);
    expect(inputs[1]!.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(inputs[1]!.data as BigInt64Array)).toEqual([-(2n ** 40n), 7n]);
    expect(inputs[2]!.data).toEqual([1.5]);
    expect(inputs[3]!.data).toEqual(['hi', 'abc']);
    expect(Array.from(inputs[4]!.data as Uint16Array)).toEqual([0x3c00]);
  });

  it('refuses sizes that do not add up, a BOOL other than 0/1, binary data without the header, and stray bytes', () => {
    const header = { inputs: [{ name: 'x', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } }] };
    const short = frame(header, new Uint8Array(4));
    expect(codeOf(() => decodeV2Request(short.body, short.length))).toBe('INPUT_INVALID');
    const long = frame(header, new Uint8Array(12));
    expect(codeOf(() => decodeV2Request(long.body, long.length))).toBe('INPUT_INVALID');
    expect(codeOf(() => decodeV2Request(Buffer.from(JSON.stringify(header)), undefined))).toBe('INPUT_INVALID');
    const odd = frame({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters: { binary_data_size: 3 } }] }, new Uint8Array(3));
    expect(codeOf(() => decodeV2Request(odd.body, odd.length))).toBe('INPUT_INVALID');
    const bool = frame({ inputs: [{ name: 'x', datatype: 'BOOL', shape: [1], parameters: { binary_data_size: 1 } }] }, Uint8Array.from([2]));
    expect(codeOf(() => decodeV2Request(bool.body, bool.length))).toBe('INPUT_INVALID');
    expect(codeOf(() => decodeV2Request(short.body, 'twelve'))).toBe('INPUT_INVALID');
    expect(codeOf(() => decodeV2Request(short.body, String(short.body.length + 1)))).toBe('INPUT_INVALID');
  });

  it('encodes the outputs asked as binary after the JSON header, the others as JSON', () => {
    const request = { inputs: [], outputs: [{ name: 'p', parameters: { binary_data: true } }, { name: 'q', parameters: { binary_data: false } }] };
    const response = {
      id: '1',
      model_name: 'm',
      model_version: '1',
      outputs: [
        { name: 'p', datatype: 'FP32', shape: [2], data: [0.25, 'NaN'] },
        { name: 'q', datatype: 'INT64', shape: [1], data: [5] },
        { name: 'r', datatype: 'BOOL', shape: [2], data: [true, false] },
      ],
    };
    const encoded = encodeV2Response(request, response)!;
    expect(encoded.contentType).toBe('application/octet-stream');
    const length = Number(encoded.headers['inference-header-content-length']);
    const header = JSON.parse(Buffer.from(encoded.body.subarray(0, length)).toString('utf8'));
    expect(header.outputs[0]).toEqual({ name: 'p', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } });
    expect(header.outputs[1]).toEqual({ name: 'q', datatype: 'INT64', shape: [1], data: [5] });
    expect(header.outputs[2].data).toEqual([true, false]);
    const floats = new Float32Array(Uint8Array.prototype.slice.call(encoded.body, length).buffer);
    expect(floats[0]).toBe(0.25);
    expect(Number.isNaN(floats[1])).toBe(true);

    const all = encodeV2Response({ inputs: [], parameters: { binary_data_output: true } }, response)!;
    const allHeader = JSON.parse(Buffer.from(all.body.subarray(0, Number(all.headers['inference-header-content-length']))).toString('utf8'));
    expect(allHeader.outputs.map((o: { parameters: { binary_data_size: number } }) => o.parameters.binary_data_size)).toEqual([8, 8, 2]);
    expect(encodeV2Response({ inputs: [] }, response)).toBeUndefined();
  });

  it('writes 64-bit integers of a JSON output in a binary answer as numbers', () => {
    const response = {
      model_name: 'm',
      outputs: [
        { name: 'p', datatype: 'FP32', shape: [1], data: [1] },
        { name: 'q', datatype: 'INT64', shape: [2], data: [5n, -(2n ** 40n)] },
      ],
    };
    const encoded = encodeV2Response({ inputs: [], outputs: [{ name: 'p', parameters: { binary_data: true } }] }, response)!;
    const header = JSON.parse(Buffer.from(encoded.body.subarray(0, Number(encoded.headers['inference-header-content-length']))).toString('utf8'));
    expect(header.outputs[1].data).toEqual([5, -(2 ** 40)]);
    expect(header.outputs[0].parameters).toEqual({ binary_data_size: 4 });
  });
});
