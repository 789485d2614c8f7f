import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import { ModelArchiveError } from '../errors.js';
import type { ModelArchive, ReadLimits } from './archive-types.js';
import type { BaseArchive } from './base-archive.js';
import { throwIfReadAborted } from './abort.js';
import { resolveReadLimits } from './limits.js';

/** Options of {@link openArchive}. */
export interface OpenArchiveOptions {
  /** Overrides of {@link DEFAULT_READ_LIMITS}. */
  limits?: Partial<ReadLimits>;
  /**
   * Cancels the open and every later read of the archive with `ABORTED` (the CLI aborts it on SIGINT/SIGTERM). Reads
   * never hold the event loop long, so a cancel takes effect within milliseconds, even inside a compression bomb.
   */
  signal?: AbortSignal;
}

/** Opens an archive as the internal class (extraction needs its one-pass file walk). */
export async function openArchiveInternal(path: string, options: OpenArchiveOptions = {}): Promise<BaseArchive> {
  const limits = resolveReadLimits(options.limits);
  const abs = resolve(path);
  const archive = await openContainer(path, abs, limits, options.signal);
  archive.signal = options.signal;
  return archive;
}

async function openContainer(path: string, abs: string, limits: ReadLimits, signal: AbortSignal | undefined): Promise<BaseArchive> {
  throwIfReadAborted(signal, abs);
  let stats;
  try {
    stats = await stat(abs);
  } catch (cause) {
    throw new ModelArchiveError('ARCHIVE_NOT_FOUND', `Archive not found: ${path}`, { cause, details: { archive: abs } });
  }
  // Each container's reader (and its library: yauzl, tar-stream) is imported when an archive of that kind is opened,
  // so importing the reader costs a process little until it reads (the runtime's cache hits never open the archive).
  if (stats.isDirectory()) return (await import('./folder-archive.js')).FolderArchive.open(abs, limits);
  if (!stats.isFile()) {
    throw new ModelArchiveError('ARCHIVE_FORMAT_UNKNOWN', `${path} is not a regular file or a folder`, { details: { archive: abs } });
  }
  const magic = Buffer.alloc(4);
  const handle = await open(abs, 'r');
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  const sig = magic.readUInt32LE(0);
  if (stats.size >= 4 && (sig === 0x04034b50 || sig === 0x06054b50)) return (await import('./zip-archive.js')).ZipArchive.open(abs, stats.size, limits);
  if (stats.size >= 4 && sig === 0x08074b50) {
    throw new ModelArchiveError('ARCHIVE_MULTI_DISK', `${path} is one part of a split zip`, { details: { archive: abs } });
  }
  if (stats.size >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) return (await import('./tgz-archive.js')).TgzArchive.open(abs, stats.size, limits, signal);
  throw new ModelArchiveError('ARCHIVE_FORMAT_UNKNOWN', `${path} is not a zip (.mar), a .tar.gz nor a folder`, {
    details: { archive: abs, magic: magic.subarray(0, Math.min(4, stats.size)).toString('hex') },
  });
}

/**
 * Opens a model archive: a `.mar`/`.zip`, a `.tar.gz` or a folder, chosen by magic bytes (never by extension).
 * Names, structure and declared sizes are checked here (docs/security.md); payloads are only read by `openEntry`.
 * Throws `ARCHIVE_NOT_FOUND`, `ARCHIVE_FORMAT_UNKNOWN`, or the coded error of the first problem found.
 *
 * @example
 * const archive = await openArchive('squeezenet.mar');
 * try {
 *   const { flavour, manifest } = await archive.readManifest();
 *   for (const entry of archive.entries) console.log(entry.path, entry.size);
 * } finally {
 *   await archive.close();
 * }
 */
export function openArchive(path: string, options: OpenArchiveOptions = {}): Promise<ModelArchive> {
  return openArchiveInternal(path, options);
}
