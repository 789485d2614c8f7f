/**
 * The private model cache: `<cacheDir>/<sha256 of the archive>/` holds the materialised files and
 * `<cacheDir>/<sha256>.json` their index (path, size, SHA-256). A cached folder is reused only after every file is
 * hashed again and the tree matches the index exactly (nothing missing, changed or added).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, open, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ModelArchiveError, mapWithConcurrency, type ArchiveManifest } from '@model-archiver/core/read';

/** One materialised file. */
export interface CachedFile {
  path: string;
  size: number;
  sha256: string;
}

/** `<key>.json`. */
export interface CacheIndex {
  cacheVersion: 1;
  /** The cache key (see `materialiseArchive`). */
  key: string;
  /** True when the files were checked against `MAR-INF/integrity.json` at materialisation. */
  integrityVerified: boolean;
  /** True when the archive had an integrity record. */
  hasIntegrityRecord: boolean;
  /** SHA-256 of the archive's file listing (path, size, CRC-32): a hit also needs the archive to list the same entries. */
  listing: string;
  /** The manifest as validated when the copy was made (the key pins its bytes), and the runtime version that did it. */
  manifest?: ArchiveManifest;
  manifestBy?: string;
  /** The model config as parsed when the copy was made (absent when it did not parse or is not plain JSON). */
  modelConfig?: Record<string, unknown>;
  files: CachedFile[];
}

/** The default cache folder: `$MODEL_ARCHIVER_CACHE_DIR`, else `<tmpdir>/model-archiver-<uid>/cache`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env['MODEL_ARCHIVER_CACHE_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  const uid = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  return path.join(tmpdir(), `model-archiver-${uid}`, 'cache');
}

/** Creates the cache folder (mode 0700) and refuses one owned by another user. */
export async function prepareCacheDir(cacheDir: string): Promise<void> {
  const ours = (info: { isDirectory(): boolean; uid: number }): boolean =>
    info.isDirectory() && (typeof process.getuid !== 'function' || info.uid === process.getuid());
  // The usual case, in one call: the folder exists and is ours. Anything else goes through the checks below.
  if (await lstat(cacheDir).then(ours, () => false)) return;
  try {
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const info = await lstat(cacheDir);
    if (!info.isDirectory()) throw new Error('not a directory');
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) throw new Error(`owned by uid ${info.uid}`);
  } catch (cause) {
    throw new ModelArchiveError('INVALID_OPTION', `Cache folder ${cacheDir} cannot be used: ${(cause as Error).message}`, {
      cause,
      details: { cacheDir },
    });
  }
}

/**
 * On a cache hit, up to SMALL_FILES_IN_SYNC files of at most SMALL_FILE bytes are read and hashed in one synchronous
 * call each: a few tens of microseconds, against four event-loop round trips (open, read, read, close) for an
 * asynchronous read, which a small model's cold start would otherwise wait for. The cap keeps the event loop from
 * being held long by an archive of thousands of small files; the rest is read asynchronously.
 */
const SMALL_FILE = 256 * 1024;
const SMALL_FILES_IN_SYNC = 64;

/** Bytes per read when hashing; two buffers of it per file being hashed. */
const HASH_CHUNK = 2 * 1024 * 1024;

/**
 * SHA-256 and size of a file. Reads into two alternating buffers, so the next read (on libuv's threads) overlaps the
 * hashing of the current chunk (on this thread). `expectedSize` (e.g. from the index) only sizes the buffers, so
 * small files do not allocate megabytes; a file of another size is still hashed whole. Throws `ABORTED` when
 * `signal` fires.
 */
export async function hashFile(file: string, signal?: AbortSignal, expectedSize?: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const handle = await open(file, 'r');
  try {
    const chunkSize = expectedSize === undefined ? HASH_CHUNK : Math.min(HASH_CHUNK, Math.max(expectedSize, 4096));
    const buffers: [Buffer, Buffer | undefined] = [Buffer.allocUnsafe(chunkSize), undefined];
    let size = 0;
    let current: 0 | 1 = 0;
    let pending = handle.read(buffers[0], 0, chunkSize, 0);
    for (;;) {
      const { bytesRead } = await pending;
      if (signal?.aborted) throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: signal.reason });
      if (bytesRead === 0) break;
      const chunk = (buffers[current] as Buffer).subarray(0, bytesRead);
      size += bytesRead;
      current = current === 0 ? 1 : 0;
      buffers[current] ??= Buffer.allocUnsafe(chunkSize);
      pending = handle.read(buffers[current] as Buffer, 0, chunkSize, size);
      hash.update(chunk);
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

const walk = async (root: string, relative = ''): Promise<string[] | undefined> => {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      const nested = await walk(root, child);
      if (nested === undefined) return undefined;
      files.push(...nested);
    } else if (entry.isFile()) {
      files.push(child);
    } else {
      return undefined; // links or special files were never materialised by us
    }
  }
  return files;
};

/**
 * Lists every file under `dir` (sorted by path) with its size and SHA-256. Digests in `known` (files just checked
 * against the integrity record while they were written) are taken as they are; every other file is hashed.
 */
export async function indexFolder(dir: string, known: ReadonlyMap<string, CachedFile> = new Map(), signal?: AbortSignal): Promise<CachedFile[]> {
  const paths = await walk(dir);
  if (paths === undefined) throw new Error(`${dir} holds a link or special file`);
  const files: CachedFile[] = [];
  for (const file of paths.sort()) {
    const full = path.join(dir, ...file.split('/'));
    const trusted = known.get(file);
    if (trusted !== undefined && (await stat(full)).size === trusted.size) files.push({ path: file, size: trusted.size, sha256: trusted.sha256 });
    else files.push({ path: file, ...(await hashFile(full, signal)) });
  }
  return files;
}

/** Reads `<key>.json`; `undefined` when absent or unreadable. */
export async function readCacheIndex(indexFile: string, key: string): Promise<CacheIndex | undefined> {
  try {
    // A small JSON file of the private cache, read in one synchronous call (see SMALL_FILE).
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as CacheIndex;
    return index.cacheVersion === 1 && index.key === key && Array.isArray(index.files) ? index : undefined;
  } catch {
    return undefined;
  }
}

/** True when `dir` holds exactly the indexed files with their sizes and digests. */
export async function cacheMatches(dir: string, index: CacheIndex, signal?: AbortSignal): Promise<boolean> {
  let present: string[] | undefined;
  try {
    present = await walk(dir);
  } catch {
    return false;
  }
  if (present === undefined || present.length !== index.files.length) return false;
  const expected = new Map(index.files.map((f) => [f.path, f]));
  if (!present.every((p) => expected.has(p))) return false;
  const inSync = new Set(index.files.filter((f) => f.size <= SMALL_FILE).slice(0, SMALL_FILES_IN_SYNC));
  const matchesNow = (file: CachedFile): boolean => {
    try {
      const bytes = readFileSync(path.join(dir, ...file.path.split('/')));
      return bytes.length === file.size && createHash('sha256').update(bytes).digest('hex') === file.sha256;
    } catch {
      return false;
    }
  };
  if (![...inSync].every(matchesNow)) return false;
  // The others a few at a time, each overlapping its next read with the hashing (see hashFile).
  const checks = await mapWithConcurrency(index.files.filter((f) => !inSync.has(f)), 4, async (file) => {
    const actual = await hashFile(path.join(dir, ...file.path.split('/')), signal, file.size).catch(() => undefined);
    return actual !== undefined && actual.size === file.size && actual.sha256 === file.sha256;
  });
  return checks.every(Boolean);
}
