/**
 * Materialises an archive into the private cache with core's safe extraction (`extractArchive`: entry names, links,
 * special files, collisions, limits, CRCs and, when the archive carries `MAR-INF/integrity.json` and verification is
 * on, every SHA-256 against the record). The cache key is the SHA-256 of the archive's bytes. A cached copy is reused
 * only after it is hashed again against its index; a copy that fails the check is replaced.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { INTEGRITY_PATH, ModelArchiveError, extractArchive, openArchive, type ArchiveManifest, type ModelArchive } from '@model-archiver/core';

import { cacheMatches, hashFile, indexFolder, prepareCacheDir, readCacheIndex, type CacheIndex } from './cache-index.js';

/** Options of {@link materialiseArchive}. */
export interface MaterialiseOptions {
  cacheDir: string;
  verifyIntegrity: boolean;
  signal?: AbortSignal;
}

/** Where an archive was materialised. */
export interface Materialised {
  modelDir: string;
  manifest: ArchiveManifest;
  /** True when an existing cached copy passed its re-check and was reused. */
  reused: boolean;
  /** SHA-256 of the archive (the cache key). */
  key: string;
}

const checkAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: signal.reason });
};

/** The cache key: SHA-256 of the archive file, or for a folder, of its sorted listing with per-file digests. */
async function archiveKey(archive: ModelArchive, signal?: AbortSignal): Promise<string> {
  if (archive.format !== 'folder') return (await hashFile(archive.path, signal)).sha256;
  const hash = createHash('sha256');
  const files = archive.entries.filter((e) => e.type === 'file').map((e) => e.path).sort();
  for (const file of files) {
    const digest = await hashFile(path.join(archive.path, ...file.split('/')), signal);
    hash.update(`${file}\0${digest.size}\0${digest.sha256}\n`);
  }
  return hash.digest('hex');
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/**
 * Opens `archivePath` and returns a cached folder holding its files.
 * @throws ARCHIVE_* / ENTRY_* / LIMIT_* from core, MANIFEST_*, INTEGRITY_MISMATCH, ABORTED, OUTPUT_WRITE_FAILED
 */
export async function materialiseArchive(archivePath: string, options: MaterialiseOptions): Promise<Materialised> {
  const { signal } = options;
  const archive = await openArchive(archivePath);
  let manifest: ArchiveManifest;
  let key: string;
  let hasRecord: boolean;
  try {
    manifest = await archive.readManifest();
    checkAborted(signal);
    hasRecord = archive.entry(INTEGRITY_PATH)?.type === 'file';
    key = await archiveKey(archive, signal);
  } finally {
    await archive.close();
  }
  const verify = options.verifyIntegrity && hasRecord;
  await prepareCacheDir(options.cacheDir);
  const modelDir = path.join(options.cacheDir, key);
  const indexFile = `${modelDir}.json`;
  const index = await readCacheIndex(indexFile, key);
  if (index !== undefined && (!verify || index.integrityVerified) && (await cacheMatches(modelDir, index, signal))) {
    return { modelDir, manifest, reused: true, key };
  }
  checkAborted(signal);
  const staging = path.join(options.cacheDir, `.staging-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await extractArchive(archivePath, staging, { verifyIntegrity: verify, ...(signal === undefined ? {} : { signal }) });
    const newIndex: CacheIndex = {
      cacheVersion: 1,
      key,
      integrityVerified: verify,
      hasIntegrityRecord: hasRecord,
      files: await indexFolder(staging, signal),
    };
    // Replace a copy that failed its check. A concurrent loader may have put a good copy in place meanwhile: keep it.
    await rm(indexFile, { force: true });
    await rm(modelDir, { recursive: true, force: true });
    try {
      await rename(staging, modelDir);
    } catch (error) {
      if (!(await exists(modelDir))) throw error;
      await rm(staging, { recursive: true, force: true });
    }
    const temp = `${indexFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(newIndex)}\n`, { mode: 0o600 });
    await rename(temp, indexFile);
    return { modelDir, manifest, reused: false, key };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (error instanceof ModelArchiveError) throw error;
    if ((error as Error).name === 'AbortError') throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: error });
    throw new ModelArchiveError('OUTPUT_WRITE_FAILED', `Materialising ${archivePath} into ${options.cacheDir} failed: ${(error as Error).message}`, {
      cause: error,
      details: { archive: archivePath, cacheDir: options.cacheDir },
    });
  }
}
