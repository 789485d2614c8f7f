import { open, type FileHandle } from 'node:fs/promises';

import { ModelArchiveError } from '../errors.js';
import { inputReadError } from '../build/io-errors.js';

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
