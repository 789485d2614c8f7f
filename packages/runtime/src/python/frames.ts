/**
 * Length-prefixed frames between the runtime and its Python worker (the Python side is
 * `python/model_archiver_worker/frames.py`): a 4-byte big-endian header length, a UTF-8 JSON header
 * `{"m": message, "b": [sizes]}`, then the binary payloads back to back. Every `Uint8Array` of a message travels as a
 * payload, referenced in the JSON as `{"__frame_blob__": index}`: request and response bodies are never base64'd.
 */

const BLOB_KEY = '__frame_blob__';
/** Largest JSON header accepted (the bodies are payloads, so headers stay small). */
export const MAX_FRAME_HEADER = 64 * 1024 * 1024;

const extract = (value: unknown, blobs: Uint8Array[]): unknown => {
  if (value instanceof Uint8Array) {
    blobs.push(value);
    return { [BLOB_KEY]: blobs.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => extract(item, blobs));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = extract(item, blobs);
    return out;
  }
  return value;
};

/** Encodes one message as the chunks of one frame (payloads are not copied). */
export const encodeFrame = (message: unknown): Buffer[] => {
  const blobs: Uint8Array[] = [];
  const body = extract(message, blobs);
  const header = Buffer.from(JSON.stringify({ m: body, b: blobs.map((blob) => blob.byteLength) }), 'utf8');
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(header.length, 0);
  return [prefix, header, ...blobs.map((blob) => Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength))];
};

const revive = (value: unknown, blobs: Buffer[]): unknown => {
  if (Array.isArray(value)) return value.map((item) => revive(item, blobs));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === BLOB_KEY) {
      const index = entries[0][1];
      if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < blobs.length) return blobs[index];
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) out[key] = revive(item, blobs);
    return out;
  }
  return value;
};

/** Collects stream chunks and returns every complete message; payloads come back as Buffers. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: { message: unknown; sizes: number[]; total: number } | undefined;
  private headerLength: number | undefined;

  /** Adds a chunk; returns the messages it completed, in order. Throws on a malformed frame. */
  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: unknown[] = [];
    for (;;) {
      if (this.headerLength === undefined) {
        if (this.buffered < 4) break;
        this.headerLength = this.take(4).readUInt32BE(0);
        if (this.headerLength > MAX_FRAME_HEADER) throw new Error(`frame header of ${this.headerLength} bytes is over the limit`);
      }
      if (this.header === undefined) {
        if (this.buffered < this.headerLength) break;
        const parsed = JSON.parse(this.take(this.headerLength).toString('utf8')) as { m?: unknown; b?: unknown };
        const sizes = Array.isArray(parsed.b) ? parsed.b.filter((n): n is number => Number.isInteger(n) && (n as number) >= 0) : [];
        this.header = { message: parsed.m, sizes, total: sizes.reduce((a, b) => a + b, 0) };
      }
      if (this.buffered < this.header.total) break;
      const data = this.take(this.header.total);
      const blobs: Buffer[] = [];
      let offset = 0;
      for (const size of this.header.sizes) {
        blobs.push(data.subarray(offset, offset + size));
        offset += size;
      }
      messages.push(revive(this.header.message, blobs));
      this.header = undefined;
      this.headerLength = undefined;
    }
    return messages;
  }

  private take(size: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    const out = all.subarray(0, size);
    const rest = all.subarray(size);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }
}
