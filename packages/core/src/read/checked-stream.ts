import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

import { ModelArchiveError } from '../errors.js';

/** What a {@link CheckedStream} verifies. */
export interface CheckedStreamOptions {
  /** Archive path of the entry (for error details). */
  path: string;
  /** Declared uncompressed size: output is capped here, and a short entry fails at the end. */
  size: number;
  /** Declared CRC-32 (zip); checked at the end when given. */
  crc32?: number;
}

/**
 * A pass-through that enforces an entry's declared size and CRC-32 while bytes flow: it fails with
 * `ENTRY_SIZE_MISMATCH` on the first byte past the declared size (so a lying header cannot expand past it) or when the
 * entry ends short, and with `ENTRY_CRC_MISMATCH` when the checksum differs.
 */
export class CheckedStream extends Transform {
  readonly #options: CheckedStreamOptions;
  #bytes = 0;
  #crc = 0;

  constructor(options: CheckedStreamOptions) {
    super();
    this.#options = options;
  }

  /** Bytes passed through so far. */
  get bytes(): number {
    return this.#bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { path, size } = this.#options;
    if (this.#bytes + chunk.length > size) {
      callback(
        new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Entry ${path} is larger than its declared ${size} bytes`, {
          details: { entry: path, declared: size, actualAtLeast: this.#bytes + chunk.length },
        }),
      );
      return;
    }
    this.#bytes += chunk.length;
    if (this.#options.crc32 !== undefined) this.#crc = crc32(chunk, this.#crc);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { path, size } = this.#options;
    if (this.#bytes !== size) {
      callback(
        new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Entry ${path} has ${this.#bytes} bytes, declared ${size}`, {
          details: { entry: path, declared: size, actual: this.#bytes },
        }),
      );
      return;
    }
    const expected = this.#options.crc32;
    if (expected !== undefined && this.#crc >>> 0 !== expected >>> 0) {
      callback(
        new ModelArchiveError('ENTRY_CRC_MISMATCH', `Entry ${path} fails its CRC-32 check`, {
          details: { entry: path, expected: expected >>> 0, actual: this.#crc >>> 0 },
        }),
      );
      return;
    }
    callback();
  }
}
