/**
 * The binary tensor data extension of the Open Inference Protocol, as Triton and KServe define it
 * (triton-inference-server/server docs/protocol/extension_binary_data.md): a request body is the JSON inference request
 * (its length in the `Inference-Header-Content-Length` header) followed by the raw data of the inputs whose
 * `parameters.binary_data_size` is set, in the order of the `inputs` list. Tensor data is little-endian, row-major,
 * without padding; BOOL is one byte (0 or 1) per element; BYTES elements are a 4-byte little-endian length and the bytes.
 * Outputs are sent back as binary data when the request asks for it (`parameters.binary_data` on a requested output,
 * else `parameters.binary_data_output` of the request): the response is then the JSON response, whose binary outputs
 * carry `parameters.binary_data_size` instead of `data`, followed by their bytes, with `Inference-Header-Content-Length`
 * set and `content-type: application/octet-stream`.
 */
import { ErrorCode, ModelArchiveError, toFloat16Bits } from '@model-archiver/core/read';

/** The header naming the length of the JSON part of a binary request or response (lower case, as Node reports it). */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

type TypedStorage =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

interface ElementType {
  size: number;
  create: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedStorage;
  from: (values: readonly unknown[]) => TypedStorage;
}

const toBig = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(typeof value === 'string' || typeof value === 'number' ? value : 0));

/** Element storage per datatype (FP16 as raw 16-bit patterns, as ONNX Runtime holds them). BYTES is handled apart. */
const ELEMENTS: Readonly<Record<string, ElementType>> = {
  FP32: { size: 4, create: (b, o, n) => new Float32Array(b, o, n), from: (v) => Float32Array.from(v, Number) },
  FP64: { size: 8, create: (b, o, n) => new Float64Array(b, o, n), from: (v) => Float64Array.from(v, Number) },
  FP16: { size: 2, create: (b, o, n) => new Uint16Array(b, o, n), from: (v) => Uint16Array.from(v, (x) => toFloat16Bits(Number(x))) },
  INT8: { size: 1, create: (b, o, n) => new Int8Array(b, o, n), from: (v) => Int8Array.from(v, Number) },
  INT16: { size: 2, create: (b, o, n) => new Int16Array(b, o, n), from: (v) => Int16Array.from(v, Number) },
  INT32: { size: 4, create: (b, o, n) => new Int32Array(b, o, n), from: (v) => Int32Array.from(v, Number) },
  INT64: { size: 8, create: (b, o, n) => new BigInt64Array(b, o, n), from: (v) => BigInt64Array.from(v, toBig) },
  UINT8: { size: 1, create: (b, o, n) => new Uint8Array(b, o, n), from: (v) => Uint8Array.from(v, Number) },
  UINT16: { size: 2, create: (b, o, n) => new Uint16Array(b, o, n), from: (v) => Uint16Array.from(v, Number) },
  UINT32: { size: 4, create: (b, o, n) => new Uint32Array(b, o, n), from: (v) => Uint32Array.from(v, Number) },
  UINT64: { size: 8, create: (b, o, n) => new BigUint64Array(b, o, n), from: (v) => BigUint64Array.from(v, toBig) },
  BOOL: { size: 1, create: (b, o, n) => new Uint8Array(b, o, n), from: (v) => Uint8Array.from(v, (x) => (x === true || x === 1 ? 1 : 0)) },
};


const invalid = (message: string, details: Record<string, unknown> = {}): ModelArchiveError => new ModelArchiveError(ErrorCode.INPUT_INVALID, message, { details });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** Decodes BYTES elements: each a 4-byte little-endian length and that many bytes (read as UTF-8 text). */
const decodeBytesTensor = (bytes: Uint8Array, name: string): string[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (offset + 4 > bytes.byteLength) throw invalid(`Input ${name}: truncated BYTES element length`, { input: name });
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.byteLength) throw invalid(`Input ${name}: truncated BYTES element`, { input: name });
    out.push(utf8(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return out;
};

/** Encodes BYTES elements as 4-byte little-endian lengths and UTF-8 bytes. */
const encodeBytesTensor = (values: readonly unknown[]): Uint8Array => {
  const parts = values.map((value) => (value instanceof Uint8Array ? value : Buffer.from(String(value), 'utf8')));
  const out = Buffer.alloc(parts.reduce((sum, part) => sum + 4 + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.writeUInt32LE(part.byteLength, offset);
    out.set(part, offset + 4);
    offset += 4 + part.byteLength;
  }
  return out;
};

/**
 * The typed elements of one input's binary data: a view of the body when it is aligned for the element type, else an
 * aligned copy. (Tensor data is little-endian; every platform Node supports for this server is little-endian.)
 */
const decodeTensorData = (datatype: string, bytes: Uint8Array, name: string): TypedStorage | string[] => {
  if (datatype === 'BYTES') return decodeBytesTensor(bytes, name);
  const element = ELEMENTS[datatype];
  if (element === undefined) throw invalid(`Input ${name}: unknown datatype ${datatype}`, { input: name, datatype });
  if (bytes.byteLength % element.size !== 0) {
    throw invalid(`Input ${name}: ${bytes.byteLength} bytes of binary data is not a whole number of ${datatype} elements`, { input: name, datatype });
  }
  // A copy when misaligned (`new Uint8Array(view)` copies; Buffer's slice() would not).
  const aligned = bytes.byteOffset % element.size === 0 ? bytes : new Uint8Array(bytes);
  const data = element.create(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / element.size);
  if (datatype === 'BOOL' && !(data as Uint8Array).every((value) => value <= 1)) throw invalid(`Input ${name}: a BOOL element is neither 0 nor 1`, { input: name });
  return data;
};

const parseHeaderLength = (value: string, bodyLength: number): number => {
  if (!/^\d{1,15}$/.test(value.trim())) throw invalid(`Inference-Header-Content-Length is not a length: ${value}`);
  const length = Number(value.trim());
  if (length > bodyLength) throw invalid(`Inference-Header-Content-Length (${length}) is larger than the body (${bodyLength} bytes)`);
  return length;
};

const parseJsonObject = (bytes: Uint8Array): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8(bytes));
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The inference request is not valid JSON.', { cause: error });
  }
  if (!isObject(parsed) || !Array.isArray(parsed.inputs)) throw invalid('An inference request needs an "inputs" array.');
  return parsed;
};

/**
 * Parses an Open Inference Protocol request body. With `headerLength` (the `Inference-Header-Content-Length` header) the
 * body is the JSON request followed by binary tensor data: every input with `parameters.binary_data_size` gets its
 * bytes as typed `data` (a typed array of the datatype's elements; BYTES as strings). The binary sizes must add up to
 * the rest of the body exactly. Throws `INPUT_INVALID`.
 */
export const decodeV2Request = (body: Uint8Array, headerLength: string | undefined): Record<string, unknown> => {
  const jsonLength = headerLength === undefined ? body.byteLength : parseHeaderLength(headerLength, body.byteLength);
  const request = parseJsonObject(body.subarray(0, jsonLength));
  let offset = jsonLength;
  for (const [index, input] of (request.inputs as unknown[]).entries()) {
    if (!isObject(input) || !isObject(input.parameters) || input.parameters.binary_data_size === undefined) continue;
    const name = typeof input.name === 'string' ? input.name : `inputs[${index}]`;
    const size = input.parameters.binary_data_size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid(`Input ${name}: binary_data_size must be a non-negative integer`, { input: name });
    if (headerLength === undefined) throw invalid(`Input ${name} has binary_data_size but the request has no Inference-Header-Content-Length`, { input: name });
    if (input.data !== undefined) throw invalid(`Input ${name} has both data and binary_data_size`, { input: name });
    if (offset + size > body.byteLength) throw invalid(`Input ${name}: binary_data_size ${size} runs past the end of the body`, { input: name });
    const datatype = typeof input.datatype === 'string' ? input.datatype.toUpperCase() : '';
    input.data = decodeTensorData(datatype, body.subarray(offset, offset + size), name);
    offset += size;
  }
  if (offset !== body.byteLength) throw invalid(`The body has ${body.byteLength - offset} bytes after the binary tensor data of the inputs`);
  return request;
};

/** True when an output is to be sent as binary data: its own `binary_data`, else the request's `binary_data_output`. */
const wantsBinary = (request: Record<string, unknown> | undefined, name: unknown): boolean => {
  const requested = Array.isArray(request?.outputs) ? (request.outputs as unknown[]).find((output) => isObject(output) && output.name === name) : undefined;
  const own = isObject(requested) && isObject(requested.parameters) ? requested.parameters.binary_data : undefined;
  if (typeof own === 'boolean') return own;
  const all = isObject(request?.parameters) ? request.parameters.binary_data_output : undefined;
  return all === true;
};

/** The bytes of one output's data (a typed array of its datatype is used as it is; a JSON list is converted). */
const tensorBytes = (datatype: string, data: unknown, name: string): Uint8Array => {
  if (datatype === 'BYTES') return encodeBytesTensor(Array.isArray(data) ? data : []);
  const element = ELEMENTS[datatype];
  if (element === undefined) throw new ModelArchiveError(ErrorCode.HANDLER_FAILED, `Output ${name}: datatype ${datatype} has no binary form.`);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView) && (data as TypedStorage).BYTES_PER_ELEMENT === element.size) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const list = Array.isArray(data) ? (data.flat(Infinity) as unknown[]) : ArrayBuffer.isView(data) ? Array.from(data as unknown as ArrayLike<unknown>) : [];
  const typed = element.from(list);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
};

/**
 * The JSON of a response header; 64-bit integers (a JSON output's BigInt elements) written as numbers. Without a replacer
 * first: a replacer is called for every key and value, which costs more than the rest of the encoding per request.
 */
const headerJson = (value: Record<string, unknown>): string => {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? Number(item) : item));
  }
};

/** An encoded v2 response: JSON only, or JSON header plus binary output data. */
export interface EncodedV2Response {
  body: Uint8Array;
  contentType: string;
  headers: Record<string, string>;
}

/**
 * Encodes an Open Inference Protocol response `{id, model_name, model_version, outputs}`. Outputs the request asked to
 * get as binary lose their `data` and gain `parameters.binary_data_size`; their bytes follow the JSON, in output order.
 * `undefined` when no output is to be binary (the caller then sends the usual JSON).
 */
export const encodeV2Response = (request: Record<string, unknown> | undefined, response: Record<string, unknown>): EncodedV2Response | undefined => {
  const outputs = Array.isArray(response.outputs) ? (response.outputs as unknown[]) : [];
  const binary = outputs.map((output) => isObject(output) && wantsBinary(request, output.name));
  if (!binary.includes(true)) return undefined;
  const chunks: Uint8Array[] = [];
  const headerOutputs = outputs.map((output, index) => {
    if (!binary[index]) return output;
    const tensor = output as Record<string, unknown>;
    const datatype = typeof tensor.datatype === 'string' ? tensor.datatype.toUpperCase() : '';
    const bytes = tensorBytes(datatype, tensor.data, String(tensor.name));
    chunks.push(bytes);
    // The output without its data (a copy: the handler's object stays as it was).
    const header: Record<string, unknown> = {};
    for (const key in tensor) if (key !== 'data' && Object.hasOwn(tensor, key)) header[key] = tensor[key];
    header.parameters = { ...(isObject(tensor.parameters) ? tensor.parameters : {}), binary_data_size: bytes.byteLength };
    return header;
  });
  const header = Buffer.from(headerJson({ ...response, outputs: headerOutputs }), 'utf8');
  return {
    body: Buffer.concat([header, ...chunks]),
    contentType: 'application/octet-stream',
    headers: { [INFERENCE_HEADER_LENGTH]: String(header.byteLength) },
  };
};
