import { createRequire } from 'node:module';

import type onnxProto from 'onnx-proto';

import { isModelArchiveError, ModelArchiveError } from '../errors.js';
import { scanMessage } from './protobuf-scan.js';

type OnnxNamespace = typeof onnxProto.onnx;
let onnxNamespace: OnnxNamespace | undefined;

/** onnx-proto (with protobufjs) is loaded on first use only: listing an archive without ONNX models never pays for it. */
const onnxMessages = (): OnnxNamespace => {
  onnxNamespace ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx;
  return onnxNamespace;
};

/** One graph input or output. */
export interface OnnxValueInfo {
  name: string;
  /** `tensor(float32)`, `sequence(tensor(int64))`, `map(string,tensor(float32))`, ... */
  type: string;
  /** Dimensions of a tensor: numbers, symbolic names, or `null` for unknown; `null` when the shape is not recorded. */
  shape: Array<number | string | null> | null;
}

/** An operator set the model imports. */
export interface OnnxOpset {
  /** `''` is the default domain `ai.onnx`. */
  domain: string;
  version: number;
}

/** What {@link readOnnxInfo} read from a model's metadata (weights are never decoded). */
export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsets: OnnxOpset[];
  /** Version of the default domain (`''` / `ai.onnx`), when imported. */
  defaultOpset?: number;
  graphName: string;
  /** Number of graph nodes. */
  nodeCount: number;
  /** Graph inputs that are not initializers (the feeds a caller gives). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Number of initializers (weights). */
  initializerCount: number;
}

/** Names of `TensorProto.DataType` values, ONNX 1.17 (onnx-proto 8 stops at bfloat16). */
const ELEMENT_TYPES = [
  'undefined', 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64',
  'uint32', 'uint64', 'complex64', 'complex128', 'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2',
  'float8e5m2fnuz', 'uint4', 'int4', 'float4e2m1',
];

const elementType = (code: number | null | undefined): string => ELEMENT_TYPES[code ?? 0] ?? `type${code ?? 0}`;

const toNumber = (value: unknown): number => (typeof value === 'number' ? value : Number(String(value)));

function describeType(type: onnxProto.onnx.ITypeProto | null | undefined): string {
  if (!type) return 'unknown';
  if (type.tensorType) return `tensor(${elementType(type.tensorType.elemType)})`;
  if (type.sparseTensorType) return `sparse_tensor(${elementType(type.sparseTensorType.elemType)})`;
  if (type.sequenceType) return `sequence(${describeType(type.sequenceType.elemType)})`;
  if (type.optionalType) return `optional(${describeType(type.optionalType.elemType)})`;
  if (type.mapType) return `map(${elementType(type.mapType.keyType)},${describeType(type.mapType.valueType)})`;
  return 'unknown';
}

function describeShape(type: onnxProto.onnx.ITypeProto | null | undefined): OnnxValueInfo['shape'] {
  const shape = type?.tensorType?.shape ?? type?.sparseTensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((dim) => {
    if (dim.dimParam) return dim.dimParam;
    if (dim.dimValue !== null && dim.dimValue !== undefined) return toNumber(dim.dimValue);
    return null;
  });
}

function valueInfo(bytes: Uint8Array): OnnxValueInfo {
  const info = onnxMessages().ValueInfoProto.decode(bytes);
  return { name: info.name, type: describeType(info.type), shape: describeShape(info.type) };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

function tensorName(bytes: Uint8Array): string {
  for (const f of scanMessage(bytes)) if (f.field === 8 && f.wireType === 2) return text(f.bytes);
  return '';
}

/**
 * Reads an ONNX model's metadata with onnx-proto: IR version, opsets, graph inputs (initializers excluded) and
 * outputs with element types and shapes. Nodes and weights are skipped at the wire level, so a large model costs
 * one pass over its bytes. Throws `MODEL_LOAD_FAILED` when the bytes are not an ONNX model.
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxModelInfo {
  try {
    const info: OnnxModelInfo = {
      irVersion: 0, producerName: '', producerVersion: '', opsets: [], graphName: '', nodeCount: 0, inputs: [], outputs: [],
      initializerCount: 0,
    };
    let graph: Uint8Array | undefined;
    for (const f of scanMessage(bytes)) {
      if (f.field === 1 && f.wireType === 0) info.irVersion = f.value;
      else if (f.field === 2 && f.wireType === 2) info.producerName = text(f.bytes);
      else if (f.field === 3 && f.wireType === 2) info.producerVersion = text(f.bytes);
      else if (f.field === 7 && f.wireType === 2) graph = f.bytes;
      else if (f.field === 8 && f.wireType === 2) {
        const opset = onnxMessages().OperatorSetIdProto.decode(f.bytes);
        info.opsets.push({ domain: opset.domain, version: toNumber(opset.version) });
      }
    }
    if (graph === undefined || info.irVersion === 0) {
      throw new ModelArchiveError('MODEL_LOAD_FAILED', 'Not an ONNX model: no graph or no IR version');
    }
    const initializers = new Set<string>();
    const inputs: OnnxValueInfo[] = [];
    for (const f of scanMessage(graph)) {
      if (f.wireType !== 2) continue;
      if (f.field === 1) info.nodeCount += 1;
      else if (f.field === 2) info.graphName = text(f.bytes);
      else if (f.field === 5) initializers.add(tensorName(f.bytes));
      else if (f.field === 11) inputs.push(valueInfo(f.bytes));
      else if (f.field === 12) info.outputs.push(valueInfo(f.bytes));
    }
    info.initializerCount = initializers.size;
    info.inputs = inputs.filter((input) => !initializers.has(input.name));
    info.defaultOpset = info.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
    return info;
  } catch (cause) {
    if (isModelArchiveError(cause)) throw cause;
    throw new ModelArchiveError('MODEL_LOAD_FAILED', `Not an ONNX model: ${(cause as Error).message}`, { cause });
  }
}
