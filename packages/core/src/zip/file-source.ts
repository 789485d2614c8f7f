import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

import { ModelArchiveError } from '../errors.js';
import { inputReadError } from '../fs/io-errors.js';

/**
 * An input file opened for one sequential pass: its size is taken once at open time, reads fill buffers fully
 * (a short read means end of file), and any change of size while reading is reported as `INPUT_READ_FAILED`.
 */
export class FileSource {
  private constructor(
    private readonly handle: FileHandle,
    /** Path, for error messages. */
    readonly path: string,
    /** Size in bytes when opened. */
    readonly size: number,
  ) {}

  /** Opens `path` for reading; errors are `INPUT_READ_FAILED`. */
  static async open(path: string): Promise<FileSource> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('not a regular file');
      return new FileSource(handle, path, stat.size);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      throw inputReadError(error, path);
    }
  }

  /** Reads at `position` until `buffer` is full or the file ends; returns the bytes read. */
  async readAt(buffer: Buffer, position: number, length = buffer.length): Promise<number> {
    let filled = 0;
    try {
      while (filled < length) {
        const { bytesRead } = await this.handle.read(buffer, filled, length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
    } catch (error) {
      throw inputReadError(error, this.path);
    }
    return filled;
  }

  /** Throws `INPUT_READ_FAILED` unless exactly {@link size} bytes were read and the file has not grown. */
  async checkComplete(bytesRead: number): Promise<void> {
    const probe = Buffer.alloc(1);
    const extra = bytesRead === this.size ? await this.readAt(probe, bytesRead, 1) : 0;
    if (bytesRead !== this.size || extra !== 0) {
      throw new ModelArchiveError('INPUT_READ_FAILED', `Input file ${this.path} changed while it was being archived`, {
        details: { path: this.path, expectedSize: this.size, bytesRead },
      });
    }
  }

  /** Closes the file; never throws. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** Files up to this size are read with {@link readSmallFile}. */
export const SMALL_READ_MAX = 256 * 1024;

/**
 * Reads a small regular file in one synchronous open/fstat/read/close: for archives of many small files this is
 * several times faster than a round trip through the threadpool per call, and blocks for microseconds only.
 * Returns `undefined` (nothing read) when the file is larger than {@link SMALL_READ_MAX}. Errors are `INPUT_READ_FAILED`.
 */
export function readSmallFile(path: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > SMALL_READ_MAX) return undefined;
    // One byte more than the size: reading it means the file grew since the stat.
    const buffer = Buffer.allocUnsafe(stat.size + 1);
    let filled = 0;
    for (;;) {
      const bytes = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytes === 0) break;
      filled += bytes;
      if (filled === buffer.length) break;
    }
    if (filled !== stat.size) {
      throw new ModelArchiveError('INPUT_READ_FAILED', `Input file ${path} changed while it was being archived`, {
        details: { path, expectedSize: stat.size, bytesRead: filled },
      });
    }
    return buffer.subarray(0, filled);
  } catch (error) {
    if (error instanceof ModelArchiveError) throw error;
    throw inputReadError(error, path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

