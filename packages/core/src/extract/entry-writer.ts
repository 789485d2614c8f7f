import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, utimes } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { ModelArchiveError, abortedError } from '../errors.js';

/** O_EXCL with O_CREAT never follows a symlink and never reuses a file; O_NOFOLLOW is belt and braces. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Running totals of one extraction, enforced on actual bytes. */
export interface WriteBudget {
  bytes: number;
  readonly maxBytes: number;
  readonly archive: string;
}

/** One written file: size and (when asked) SHA-256 of what was written. */
export interface WrittenFile {
  size: number;
  sha256?: string;
}

/**
 * The [CHECKPATH] of node-tar: the absolute target of a canonical entry path must lie strictly inside `root`.
 * Canonical paths cannot escape (safe-path.ts); this is defence in depth.
 */
export function targetPath(root: string, entryPath: string): string {
  const target = resolve(root, ...entryPath.split('/'));
  if (!target.startsWith(root + sep)) {
    throw new ModelArchiveError('ENTRY_PATH_TRAVERSAL', `Entry ${entryPath} resolves outside the target folder`, { details: { entry: entryPath } });
  }
  return target;
}

class Meter extends Transform {
  readonly hash: Hash | undefined;
  size = 0;
  constructor(
    readonly budget: WriteBudget,
    readonly entry: string,
    withHash: boolean,
  ) {
    super();
    this.hash = withHash ? createHash('sha256') : undefined;
  }
  /** Counts `chunk` against the budget (`LIMIT_TOTAL_SIZE` past it) and hashes it. */
  account(chunk: Buffer): void {
    this.budget.bytes += chunk.length;
    if (this.budget.bytes > this.budget.maxBytes) {
      throw new ModelArchiveError('LIMIT_TOTAL_SIZE', `Extraction of ${this.budget.archive} passed the total-size limit`, {
        details: { archive: this.budget.archive, entry: this.entry, limit: this.budget.maxBytes },
      });
    }
    this.size += chunk.length;
    this.hash?.update(chunk);
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    try {
      this.account(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
}

/** Entries up to this size are buffered and written in one call (see {@link writeEntry}). */
export const SMALL_ENTRY = 64 * 1024;

/** Reads a (small, size-checked) entry stream whole through the meter's checks. */
async function collectMetered(source: Readable, meter: Meter): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) {
    const bytes = chunk as Buffer;
    meter.account(bytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * Writes one entry under `root` with a fresh exclusive create (never through an existing file or link), counting bytes
 * against the budget and hashing them when asked. Modes keep only the permission bits (no setuid/setgid/sticky).
 */
export async function writeEntry(
  root: string,
  entryPath: string,
  source: Readable,
  options: {
    budget: WriteBudget;
    mode?: number;
    mtime?: Date;
    hash: boolean;
    signal?: AbortSignal;
    folders?: Set<string>;
    /** The entry's declared size: entries up to {@link SMALL_ENTRY} bytes are read whole and written in one call. */
    size?: number;
  },
): Promise<WrittenFile> {
  const target = targetPath(root, entryPath);
  const folder = dirname(target);
  // One mkdir per folder, not per file: `folders` remembers those made (a 70,000-entry archive has few folders).
  if (options.folders?.has(folder) !== true) {
    await mkdir(folder, { recursive: true });
    options.folders?.add(folder);
  }
  const mode = (options.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
  const meter = new Meter(options.budget, entryPath, options.hash);
  const mtime = options.mtime !== undefined && !Number.isNaN(options.mtime.getTime()) ? options.mtime : undefined;
  if (options.size !== undefined && options.size <= SMALL_ENTRY) {
    // Small files (most entries of an archive of many): no write stream and no pipeline, one write on one handle.
    const body = await collectMetered(source, meter);
    if (options.signal?.aborted === true) throw abortedError('Extraction', options.signal);
    const handle = await open(target, WRITE_FLAGS, mode);
    try {
      await handle.writeFile(body);
      if (mtime !== undefined) await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
  } else {
    const out = (await open(target, WRITE_FLAGS, mode)).createWriteStream();
    await pipeline(source, meter, out, options.signal === undefined ? {} : { signal: options.signal });
    if (mtime !== undefined) await utimes(target, mtime, mtime);
  }
  const written: WrittenFile = { size: meter.size };
  if (meter.hash !== undefined) written.sha256 = meter.hash.digest('hex');
  return written;
}
