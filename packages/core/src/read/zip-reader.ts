import { read as fsRead } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

import yauzl from 'yauzl';

/** The parts of yauzl 3 that `@types/yauzl` (2.x) does not describe. */
export interface YauzlEntry extends yauzl.Entry {
  fileNameRaw: Buffer;
  extraFields: { id: number; data: Buffer }[];
}
/** A yauzl 3 zip file, with the low-level calls this reader uses. */
export interface YauzlZipFile extends yauzl.ZipFile {
  readLocalFileHeader(
    entry: yauzl.Entry,
    callback: (err: Error | null, header: { fileDataStart: number; fileName: Buffer; generalPurposeBitFlag: number }) => void,
  ): void;
  openReadStreamLowLevel(
    fileDataStart: number,
    compressedSize: number,
    relativeStart: number,
    relativeEnd: number,
    decompress: boolean,
    uncompressedSize: number,
    callback: (err: Error | null, stream: Readable) => void,
  ): void;
}
/** yauzl 3 module functions missing from the 2.x typings. */
export const yauzlExtra = yauzl as unknown as {
  getFileNameLowLevel(flags: number, raw: Buffer, extraFields: { id: number; data: Buffer }[], strict: boolean): string;
};

/**
 * A yauzl random-access reader over an open file that serves reads inside a preloaded region (the central directory
 * and end records) from memory: listing costs one read of the central directory, whatever the archive size
 * (ecosystem.md §3: yauzl's own reader does two small reads per entry).
 */
export class CachedFileReader extends yauzl.RandomAccessReader {
  readonly #file: FileHandle;
  readonly #cache: Buffer;
  readonly #cacheStart: number;

  constructor(file: FileHandle, cache: Buffer, cacheStart: number) {
    super();
    this.#file = file;
    this.#cache = cache;
    this.#cacheStart = cacheStart;
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const start = position - this.#cacheStart;
    if (start >= 0 && start + length <= this.#cache.length) {
      this.#cache.copy(buffer, offset, start, start + length);
      setImmediate(() => callback(null, length));
      return;
    }
    fsRead(this.#file.fd, buffer, offset, length, position, (err, bytesRead) => callback(err, bytesRead));
  }

  override _readStreamForRange(start: number, end: number): Readable {
    // Not fs.createReadStream: destroying one closes its fd even with autoClose false, and the fd is shared.
    return new RangeStream(this.#file.fd, start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    this.#file.close().then(
      () => callback(null),
      (err: unknown) => callback(err as Error),
    );
  }
}

/**
 * Bytes per positional read of an entry's data: large enough that a big entry (a model's weights) costs few reads and
 * few stream hops (CRC, hash and write each see every chunk), small enough to keep memory flat.
 */
const RANGE_CHUNK = 1024 * 1024;

/** Streams `[start, end)` of a shared fd with positional reads; never closes the fd. */
class RangeStream extends Readable {
  #position: number;

  constructor(
    readonly fd: number,
    start: number,
    readonly end: number,
  ) {
    super();
    this.#position = start;
  }

  override _read(size: number): void {
    const length = Math.min(Math.max(size, RANGE_CHUNK), this.end - this.#position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(length);
    fsRead(this.fd, buffer, 0, length, this.#position, (err, bytesRead) => {
      if (err) {
        this.destroy(err);
      } else if (bytesRead === 0) {
        this.destroy(new Error('unexpected EOF'));
      } else {
        this.#position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      }
    });
  }
}
