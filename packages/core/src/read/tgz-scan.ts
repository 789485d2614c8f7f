import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';

import type { ReadEntry } from 'tar';

import { ModelArchiveError } from '../errors.js';
import type { ReadLimits } from './archive-types.js';
import { toArchiveError } from './error-map.js';
import { RATIO_EXEMPT_SIZE } from './limits.js';
import { readAbortedError, throwIfReadAborted } from './abort.js';

/** What a visitor returns: `'stop'` ends the scan early (the rest of the file is not read). */
export type ScanResult = void | 'stop';
/** Called for every tar entry (meta entries excluded) in order; must consume or `resume()` the entry. */
export type TarVisitor = (entry: ReadEntry, index: number) => ScanResult | Promise<ScanResult>;

/**
 * Caps what gunzip may produce: more than `maxCompressionRatio` times the file size (`LIMIT_COMPRESSION_RATIO`) or
 * well past `maxTotalSize` (`LIMIT_TOTAL_SIZE`). A `.tar.gz` must be inflated to be listed, so this is the bomb guard.
 */
class InflateLimit extends Transform {
  #out = 0;
  #first = true;
  #forward = true;
  constructor(
    readonly archive: string,
    readonly fileSize: number,
    readonly limits: ReadLimits,
  ) {
    // Large output chunks: fewer hops per inflated byte, each still far below a millisecond of work.
    super({ highWaterMark: 1024 * 1024 });
  }
  /**
   * Called when the tar end marker has been seen: what follows is counted against the limits (a bomb may hide
   * there) and checked by gunzip to its trailer, but no longer handed to the parser. node-tar buffers everything
   * after its end marker by concatenating each chunk onto the last, which made a zero-filled bomb quadratic.
   */
  stopForwarding(): void {
    this.#forward = false;
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    if (this.#first && chunk.length >= 2) {
      this.#first = false;
      // A gzip inside the gzip: node-tar would silently inflate it again; nested compression is refused.
      if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
        callback(new ModelArchiveError('ARCHIVE_CORRUPT', `${this.archive} is compressed twice`, { details: { archive: this.archive } }));
        return;
      }
    }
    this.#out += chunk.length;
    const { maxCompressionRatio, maxTotalSize, maxEntries } = this.limits;
    if (this.#out > RATIO_EXEMPT_SIZE && this.#out > this.fileSize * maxCompressionRatio) {
      callback(
        new ModelArchiveError('LIMIT_COMPRESSION_RATIO', `${this.archive} inflates past ${maxCompressionRatio} times its size`, {
          details: { archive: this.archive, inflated: this.#out, fileSize: this.fileSize, limit: maxCompressionRatio },
        }),
      );
      return;
    }
    if (this.#out > maxTotalSize + Math.min(maxEntries, 1_000_000) * 2048 + RATIO_EXEMPT_SIZE) {
      callback(
        new ModelArchiveError('LIMIT_TOTAL_SIZE', `${this.archive} inflates past the total-size limit`, {
          details: { archive: this.archive, inflated: this.#out, limit: maxTotalSize },
        }),
      );
      return;
    }
    callback(null, this.#forward ? chunk : undefined);
  }
}

/**
 * Reads a `.tar.gz` sequentially (the only way: gzip has no index) with node-tar's strict parser and calls `visit`
 * for every entry. Every failure is coded (`ARCHIVE_TRUNCATED`, `ARCHIVE_CORRUPT`, limits); the returned promise
 * settles only after the visitor of the current entry has.
 */
export async function scanTgz(path: string, fileSize: number, limits: ReadLimits, visit: TarVisitor, signal?: AbortSignal): Promise<void> {
  throwIfReadAborted(signal, path);
  const { Parser } = await import('tar'); // loaded on use: only .tar.gz archives need it
  return new Promise<void>((resolve, reject) => {
    const source = createReadStream(path);
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    const limiter = new InflateLimit(path, fileSize, limits);
    const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: 1024 * 1024 });
    let settled = false;
    let index = 0;
    let current: ReadEntry | undefined;
    let pending: Promise<unknown> = Promise.resolve();
    const onAbort = (): void => finish(readAbortedError(path, signal));
    const teardown = (): void => {
      signal?.removeEventListener('abort', onAbort);
      source.destroy();
      gunzip.destroy();
      limiter.destroy();
    };
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      teardown();
      if (error !== undefined && current !== undefined && !current.emittedEnd) {
        // Unblocks a visitor still reading this entry; the error is reported by this promise, not the entry.
        current.on('error', () => undefined);
        current.destroy(error);
      }
      const mapped = error === undefined ? undefined : toArchiveError(error, { archive: path });
      void pending.then(
        () => (mapped === undefined ? resolve() : reject(mapped)),
        () => (mapped === undefined ? resolve() : reject(mapped)),
      );
    };
    const onEntry = (entry: ReadEntry): void => {
      if (settled) {
        entry.resume();
        return;
      }
      const n = index;
      index += 1;
      if (index > limits.maxEntries) {
        finish(new ModelArchiveError('LIMIT_ENTRY_COUNT', `${path} has more than ${limits.maxEntries} entries`, { details: { archive: path, limit: limits.maxEntries } }));
        entry.resume();
        return;
      }
      current = entry;
      const run = (async () => visit(entry, n))();
      // Every visitor must settle before the scan does (an earlier entry's writer can outlive a later entry).
      pending = Promise.allSettled([pending, run]);
      run.then(
        (result) => {
          if (result === 'stop') finish();
        },
        (error: unknown) => finish(error),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    parser.on('eof', () => limiter.stopForwarding());
    parser.on('entry', onEntry);
    parser.on('ignoredEntry', (entry: ReadEntry) => {
      if (!entry.meta) onEntry(entry);
    });
    parser.on('error', (error: unknown) => finish(error));
    parser.on('end', () => void pending.then(() => finish(), () => finish()));
    source.on('error', (error: unknown) => finish(error));
    gunzip.on('error', (error: unknown) => finish(error));
    limiter.on('error', (error: unknown) => finish(error));
    source.pipe(gunzip).pipe(limiter).pipe(parser as unknown as NodeJS.WritableStream);
  });
}
