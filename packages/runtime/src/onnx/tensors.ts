/**
 * KServe v2 / Open Inference Protocol tensor JSON <-> ONNX Runtime tensors, for every type the runtime supports.
 * `{ name, datatype, shape, data }` with `data` flat (row-major) or nested; INT64/UINT64 accept numbers or decimal
 * strings (values past 2^53 need strings) and are written as numbers when safe, else as strings.
 */
import { ModelArchiveError, fromFloat16Bits, toFloat16Bits } from '@model-archiver/core/read';

import type { OnnxTensor, OnnxTensorData, OnnxTensorType } from './onnx.js';

/** v2 datatype name -> ONNX Runtime type name. */
export const V2_TO_ONNX: Readonly<Record<string, OnnxTensorType>> = {
  FP32: 'float32',
  FP64: 'float64',
  FP16: 'float16',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  BOOL: 'bool',
  BYTES: 'string',
};

/** ONNX Runtime type name -> v2 datatype name (`unknown` types map to themselves, upper-cased). */
export function onnxToV2(type: string): string {
  for (const [v2, onnx] of Object.entries(V2_TO_ONNX)) if (onnx === type) return v2;
  return type.toUpperCase();
}

/** A tensor in v2 JSON form. */
export interface V2Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}

const invalid = (message: string, details: Record<string, unknown>): ModelArchiveError =>
  new ModelArchiveError('INPUT_INVALID', message, { details });

/**
 * Flat values of `data`: an already flat list or a typed array (binary tensor data) is used as it is (no copy); nested
 * lists are flattened.
 */
const flatten = (data: unknown): ArrayLike<unknown> => {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return data as unknown as ArrayLike<unknown>;
  if (!Array.isArray(data)) return [data];
  if (data.length === 0 || typeof data[0] !== 'object' || data[0] === null) return data;
  return data.flat(Infinity);
};

const toBigInt = (value: unknown, name: string, index: number, unsigned: boolean): bigint => {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'number' && Number.isInteger(value)) big = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) big = BigInt(value);
  else throw invalid(`Input ${name}: element ${index} is not an integer`, { input: name, index });
  const fits = unsigned ? big >= 0n && big < 2n ** 64n : big >= -(2n ** 63n) && big < 2n ** 63n;
  if (!fits) throw invalid(`Input ${name}: element ${index} is out of range`, { input: name, index });
  return big;
};

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

type NumericArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** Fills `out` with the numbers of `values` (also the strings NaN / Infinity / -Infinity), mapped by `map` when given. */
const fillNumbers = <T extends NumericArray>(out: T, values: ArrayLike<unknown>, name: string, map?: (v: number) => number): T => {
  for (let i = 0; i < values.length; i += 1) {
    let v = values[i];
    if (typeof v !== 'number') {
      if (v !== 'NaN' && v !== 'Infinity' && v !== '-Infinity') throw invalid(`Input ${name}: element ${i} is not a number`, { input: name, index: i });
      v = Number(v);
    }
    out[i] = map === undefined ? (v as number) : map(v as number);
  }
  return out;
};

/** Fills `out` with the integers of `values`, each checked against the range of `type`. */
const fillIntegers = <T extends NumericArray>(out: T, values: ArrayLike<unknown>, name: string, type: string): T => {
  const [min, max] = INT_RANGES[type] as [number, number];
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw invalid(`Input ${name}: element ${i} is not a ${type}`, { input: name, index: i, type });
    }
    out[i] = v;
  }
  return out;
};

/** The typed array that holds each type's elements as they are (float16: the raw 16-bit patterns; bool: 0 or 1 bytes). */
const STORAGE: Partial<Record<OnnxTensorType, abstract new (...args: never[]) => ArrayBufferView>> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

/**
 * Converts flat JS values to typed element storage, checking each element (typed arrays are filled directly). A typed
 * array that already is the type's storage (binary tensor data: float16 as bit patterns) is used without a copy.
 */
export function toTensorData(type: OnnxTensorType, values: ArrayLike<unknown>, name: string): OnnxTensorData {
  const storage = STORAGE[type];
  if (storage !== undefined && values instanceof storage && (type !== 'bool' || (values as Uint8Array).every((v) => v <= 1))) {
    return values as unknown as OnnxTensorData;
  }
  const n = values.length;
  switch (type) {
    case 'float32':
      return fillNumbers(new Float32Array(n), values, name);
    case 'float64':
      return fillNumbers(new Float64Array(n), values, name);
    case 'float16':
      return fillNumbers(new Uint16Array(n), values, name, toFloat16Bits);
    case 'int8':
      return fillIntegers(new Int8Array(n), values, name, type);
    case 'int16':
      return fillIntegers(new Int16Array(n), values, name, type);
    case 'int32':
      return fillIntegers(new Int32Array(n), values, name, type);
    case 'uint8':
      return fillIntegers(new Uint8Array(n), values, name, type);
    case 'uint16':
      return fillIntegers(new Uint16Array(n), values, name, type);
    case 'uint32':
      return fillIntegers(new Uint32Array(n), values, name, type);
    case 'int64':
      return BigInt64Array.from(values, (v, i) => toBigInt(v, name, i, false));
    case 'uint64':
      return BigUint64Array.from(values, (v, i) => toBigInt(v, name, i, true));
    case 'bool':
      return Uint8Array.from(values, (v, i) => {
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (v === 0 || v === 1) return v;
        throw invalid(`Input ${name}: element ${i} is not a boolean`, { input: name, index: i });
      });
    case 'string':
      return Array.from(values, (v, i) => {
        if (typeof v !== 'string') throw invalid(`Input ${name}: element ${i} is not a string`, { input: name, index: i });
        return v;
      });
  }
}

/** Checks a v2 input object's fields and returns its flat values and ONNX type. */
export function parseV2Tensor(input: unknown, index: number): { name: string; type: OnnxTensorType; shape: number[]; values: ArrayLike<unknown> } {
  if (typeof input !== 'object' || input === null) throw invalid(`inputs[${index}] is not an object`, { index });
  const { name, datatype, shape, data } = input as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw invalid(`inputs[${index}] has no name`, { index });
  const type = typeof datatype === 'string' ? V2_TO_ONNX[datatype.toUpperCase()] : undefined;
  if (type === undefined) {
    throw invalid(`Input ${name}: unknown datatype ${String(datatype)}`, { input: name, datatype, supported: Object.keys(V2_TO_ONNX) });
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw invalid(`Input ${name}: shape must be a list of non-negative integers`, { input: name, shape });
  }
  const values = flatten(data);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw invalid(`Input ${name}: shape [${shape.join(', ')}] needs ${count} elements, data has ${values.length}`, {
      input: name,
      shape,
      expected: count,
      actual: values.length,
    });
  }
  return { name, type, shape: shape as number[], values };
}

/** Flat JSON values of a tensor (bool -> true/false, float16 -> numbers, 64-bit -> numbers when safe, else strings). */
export function tensorToJson(tensor: OnnxTensor): unknown[] {
  const data = tensor.data as ArrayLike<unknown>;
  switch (tensor.type) {
    case 'bool':
      return Array.from(data as Uint8Array, (v) => v !== 0);
    case 'float16':
      return Array.from(data as Uint16Array, fromFloat16Bits);
    case 'int64':
    case 'uint64':
      return Array.from(data as ArrayLike<bigint>, (v) => {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : v.toString();
      });
    case 'float32':
    case 'float64':
      return Array.from(data as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : String(v)));
    default:
      return Array.from(data);
  }
}

/** A tensor as a v2 output object. */
export function toV2Tensor(name: string, tensor: OnnxTensor): V2Tensor {
  return { name, datatype: onnxToV2(tensor.type), shape: [...tensor.dims], data: tensorToJson(tensor) };
}
