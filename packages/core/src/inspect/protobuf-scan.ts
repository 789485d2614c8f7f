import { ModelArchiveError } from '../errors.js';

/** One top-level field of a protobuf message: its number, wire type and where its bytes are. */
export interface WireField {
  field: number;
  wireType: number;
  /** Varint value (wire type 0), else 0. */
  value: number;
  /** Payload of a length-delimited field (wire type 2), else empty. */
  bytes: Uint8Array;
}

const corrupt = (message: string): ModelArchiveError => new ModelArchiveError('MODEL_LOAD_FAILED', `Not an ONNX model: ${message}`);

function readVarint(buf: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  let pos = start;
  for (let i = 0; i < 10; i += 1) {
    const byte = buf[pos];
    if (byte === undefined) throw corrupt('truncated varint');
    pos += 1;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  throw corrupt('varint longer than 10 bytes');
}

/**
 * Lists the top-level fields of one protobuf message without decoding nested messages. Used to read a model's
 * metadata (opsets, graph inputs and outputs) without materialising its weights.
 */
export function scanMessage(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw corrupt('field number 0');
    pos = afterKey;
    switch (wireType) {
      case 0: {
        const [value, next] = readVarint(buf, pos);
        fields.push({ field, wireType, value, bytes: new Uint8Array(0) });
        pos = next;
        break;
      }
      case 1:
        pos += 8;
        break;
      case 2: {
        const [length, next] = readVarint(buf, pos);
        if (next + length > buf.length) throw corrupt(`field ${field} runs past the end`);
        fields.push({ field, wireType, value: 0, bytes: buf.subarray(next, next + length) });
        pos = next + length;
        break;
      }
      case 5:
        pos += 4;
        break;
      default:
        throw corrupt(`unsupported wire type ${wireType}`);
    }
    if (pos > buf.length) throw corrupt('truncated field');
  }
  return fields;
}
