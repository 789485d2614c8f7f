/**
 * Materialises an archive into the private cache with core's safe extraction (`extractArchive`: entry names, links,
 * special files, collisions, limits, CRCs and, when the archive carries `MAR-INF/integrity.json` and verification is
 * on, every SHA-256 against the record). A cached copy is reused only after every file is hashed again against its
 * index; a copy that fails the check is replaced.
 *
 * The cache key is a content digest: with verification on and an integrity record present, the SHA-256 of the record
 * (which lists the SHA-256 of every file, and which the files are checked against on extraction), so a cache hit
 * costs one pass over the cached files; otherwise the SHA-256 of the archive's bytes (folders: of their listing
 * with per-file digests).
 */
import { createHash, randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import {
  INTEGRITY_PATH,
  ModelArchiveError,
  extractArchive,
  openArchive,
  parseIntegrityRecordLazily,
  manifestModel,
  type ArchiveManifest,
  type IntegrityRecord,
  type ModelArchive,
} from '@model-archiver/core/read';

import { fingerprintArchive, rememberKey, rememberedKey, type ArchiveFingerprint } from './archive-fingerprint.js';
import { cacheMatches, hashFile, indexFolder, prepareCacheDir, readCacheIndex, type CacheIndex } from './cache-index.js';
import { prefetchConfigParser, readModelConfig } from '../model-config.js';
import { RUNTIME_VERSION } from '../version.js';

/** Options of {@link materialiseArchive}. */
export interface MaterialiseOptions {
  cacheDir: string;
  verifyIntegrity: boolean;
  /** Refuse an archive without an integrity record (`INTEGRITY_MISSING`) before anything is extracted (default false). */
  requireIntegrity?: boolean;
  signal?: AbortSignal;
  /** Current time in ms (tests move it past the settle time of a just-written archive); default `Date.now`. */
  clock?: () => number;
}

/** Where an archive was materialised. */
export interface Materialised {
  modelDir: string;
  manifest: ArchiveManifest;
  /** True when an existing cached copy passed its re-check and was reused. */
  reused: boolean;
  /**
   * True when the archive was not opened at all: its file fingerprint matched the one remembered for this key
   * (see archive-fingerprint.ts), and the cached copy passed its re-check.
   */
  byFingerprint?: boolean;
  /**
   * The parsed model config (`model.configFile`; `{}` without one) when it was parsed at extraction by this runtime
   * version; `undefined` when the caller must read it (an older index, or a config that failed to parse).
   */
  modelConfig?: Record<string, unknown>;
  /** SHA-256 of the archive (the cache key). */
  key: string;
}

const checkAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: signal.reason });
};

/** The cache key (see the file comment). */
async function archiveKey(archive: ModelArchive, record: Buffer | undefined, signal?: AbortSignal): Promise<string> {
  if (record !== undefined) return createHash('sha256').update('integrity-record\0').update(record).digest('hex');
  if (archive.format !== 'folder') return (await hashFile(archive.path, signal)).sha256;
  const hash = createHash('sha256');
  const files = archive.entries.filter((e) => e.type === 'file').map((e) => e.path).sort();
  for (const file of files) {
    const digest = await hashFile(path.join(archive.path, ...file.split('/')), signal);
    hash.update(`${file}\0${digest.size}\0${digest.sha256}\n`);
  }
  return hash.digest('hex');
}

/** Digest of the archive's file entries as its directory lists them: no payload is read. */
const listingDigest = (archive: ModelArchive): string => {
  const lines = archive.entries.filter((e) => e.type === 'file').map((e) => `${e.path}\0${e.size}\0${e.crc32 ?? ''}`);
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
};

/**
 * The model config parsed from the fresh copy, kept in the index so that a cache hit needs neither the YAML parser nor
 * the parse (the key pins the file's bytes). `undefined` when it fails to parse (loading then reads it again and
 * reports the error) or does not survive a JSON round trip unchanged (e.g. YAML's `.inf`).
 */
const parseConfigOnce = async (dir: string, manifest: ArchiveManifest): Promise<Record<string, unknown> | undefined> => {
  try {
    const config = await readModelConfig(dir, manifestModel(manifest).configFile);
    return isDeepStrictEqual(JSON.parse(JSON.stringify(config)), config) ? config : undefined;
  } catch {
    return undefined;
  }
};

/** The fail-closed refusal of an archive without an integrity record (see `LoadOptions.allowUnverified`). */
function unverifiedError(archive: string): ModelArchiveError {
  return new ModelArchiveError(
    'INTEGRITY_MISSING',
    `${archive} has no integrity record (${INTEGRITY_PATH}), so its files cannot be checked. Archives made by the reference ` +
      'tools have none: rebuild it with `model-archiver create` to add one, or accept it unchecked with the load option ' +
      'allowUnverified (`predict --allow-unverified`, `model-server --allow-unverified`).',
    { details: { archive, record: INTEGRITY_PATH } },
  );
}

/** Writes `<key>.json` atomically (temp file + rename). */
async function writeIndex(indexFile: string, index: CacheIndex): Promise<void> {
  const temp = `${indexFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(index)}\n`, { mode: 0o600 });
    await rename(temp, indexFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/**
 * Opens `archivePath` and returns a cached folder holding its files.
 * @throws ARCHIVE_* / ENTRY_* / LIMIT_* from core, MANIFEST_*, INTEGRITY_MISMATCH, ABORTED, OUTPUT_WRITE_FAILED
 */
export async function materialiseArchive(archivePath: string, options: MaterialiseOptions): Promise<Materialised> {
  // Taken before anything is read: a change during this load leaves a fingerprint that never matches again. The cache
  // folder is prepared (and its owner checked) meanwhile; both are needed before the cache is trusted.
  const [fingerprint] = await Promise.all([fingerprintArchive(archivePath), prepareCacheDir(options.cacheDir)]);
  if (fingerprint !== undefined) {
    const known = await reuseByFingerprint(fingerprint, options);
    if (known !== undefined) return known;
  }
  const materialised = await materialiseFromArchive(archivePath, options);
  if (fingerprint !== undefined) await rememberKey(options.cacheDir, fingerprint, options.verifyIntegrity, materialised.key, (options.clock ?? Date.now)());
  return materialised;
}

/**
 * The cached copy of an archive whose file fingerprint is remembered for a key, when that key's index holds the
 * manifest validated by this runtime version and the copy passes its full re-check; else `undefined` (the caller
 * then opens the archive as usual).
 */
async function reuseByFingerprint(fingerprint: ArchiveFingerprint, options: MaterialiseOptions): Promise<Materialised | undefined> {
  const key = await rememberedKey(options.cacheDir, fingerprint, options.verifyIntegrity);
  if (key === undefined) return undefined;
  const index = await readCacheIndex(`${path.join(options.cacheDir, key)}.json`, key);
  if (index?.manifest === undefined || index.manifestBy !== RUNTIME_VERSION) return undefined;
  // The archive is unchanged since this index was written: the same policy as when opening it.
  if (options.requireIntegrity === true && !index.hasIntegrityRecord) throw unverifiedError(fingerprint.path);
  // The same rule as a hit after opening the archive: a copy made without verification does not serve a verified load.
  if (options.verifyIntegrity && index.hasIntegrityRecord && !index.integrityVerified) return undefined;
  const modelDir = path.join(options.cacheDir, key);
  if (!(await cacheMatches(modelDir, index, options.signal))) return undefined;
  const { manifest, modelConfig } = index;
  return { modelDir, manifest, reused: true, byFingerprint: true, key, ...(modelConfig === undefined ? {} : { modelConfig }) };
}

/** Opens the archive, computes its key, and reuses the checked cached copy or extracts a new one. */
async function materialiseFromArchive(archivePath: string, options: MaterialiseOptions): Promise<Materialised> {
  const { signal } = options;
  const archive = await openArchive(archivePath, signal === undefined ? {} : { signal });
  let manifest: ArchiveManifest;
  let key: string;
  let hasRecord: boolean;
  let recordBytes: Buffer | undefined;
  let listing: string;
  let index: CacheIndex | undefined;
  let reusable: boolean;
  try {
    checkAborted(signal);
    listing = listingDigest(archive);
    hasRecord = archive.entry(INTEGRITY_PATH)?.type === 'file';
    if (options.requireIntegrity === true && !hasRecord) throw unverifiedError(archive.path);
    recordBytes = hasRecord && options.verifyIntegrity ? await archive.readEntry(INTEGRITY_PATH) : undefined;
    key = await archiveKey(archive, recordBytes, signal);
    checkAborted(signal);
    index = await readCacheIndex(`${path.join(options.cacheDir, key)}.json`, key);
    // An archive whose listing changed while its record did not (a tampered entry) is extracted again, and fails.
    reusable = index !== undefined && index.listing === listing && (recordBytes === undefined || index.integrityVerified);
    // The key pins the manifest's bytes, so the manifest validated when the copy was made is reused as it is
    // (when this runtime version validated it): no second schema validation on a cache hit.
    manifest = reusable && index?.manifest !== undefined && index.manifestBy === RUNTIME_VERSION ? index.manifest : await archive.readManifest();
  } finally {
    await archive.close();
  }
  const verify = recordBytes !== undefined;
  const modelDir = path.join(options.cacheDir, key);
  const indexFile = `${modelDir}.json`;
  if (reusable && index !== undefined && (await cacheMatches(modelDir, index, signal))) {
    if (index.manifestBy === RUNTIME_VERSION) {
      const { modelConfig } = index;
      return { modelDir, manifest, reused: true, key, ...(modelConfig === undefined ? {} : { modelConfig }) };
    }
    // An index from another runtime version: the manifest was validated just now and the copy checked, so the index
    // is brought up to date (manifest, config), and later loads skip the validation again (and may use fingerprints).
    const modelConfig = await parseConfigOnce(modelDir, manifest);
    await writeIndex(indexFile, { ...index, manifest, manifestBy: RUNTIME_VERSION, ...(modelConfig === undefined ? {} : { modelConfig }) }).catch(() => undefined);
    return { modelDir, manifest, reused: true, key, ...(modelConfig === undefined ? {} : { modelConfig }) };
  }
  checkAborted(signal);
  if (manifest === index?.manifest) {
    // The copy failed its check, so nothing of its index is trusted: the manifest is read from the archive again.
    const again = await openArchive(archivePath, signal === undefined ? {} : { signal });
    try {
      manifest = await again.readManifest();
    } finally {
      await again.close();
    }
  }
  // The YAML parser's import (when the config needs it) overlaps the extraction; the config is parsed right after.
  prefetchConfigParser(manifestModel(manifest).configFile);
  // Parsed only when extracting: on a hit the key pins the record's bytes, which were parsed when the copy was made.
  const record: IntegrityRecord | undefined = recordBytes === undefined ? undefined : await parseIntegrityRecordLazily(recordBytes);
  const staging = path.join(options.cacheDir, `.staging-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // The manifest was read and validated above (or its validated copy reused with a key that pins its bytes).
    await extractArchive(archivePath, staging, { verifyIntegrity: verify, validateManifest: false, ...(signal === undefined ? {} : { signal }) });
    const modelConfig = await parseConfigOnce(staging, manifest);
    const newIndex: CacheIndex = {
      cacheVersion: 1,
      key,
      integrityVerified: verify,
      hasIntegrityRecord: hasRecord,
      listing,
      manifest,
      manifestBy: RUNTIME_VERSION,
      ...(modelConfig === undefined ? {} : { modelConfig }),
      files: await indexFolder(staging, new Map((record?.files ?? []).map((f) => [f.path, f])), signal),
    };
    // The index goes first: it describes any good copy of this key, ours or a concurrent loader's.
    await writeIndex(indexFile, newIndex);
    let trash: string | undefined;
    if (await exists(modelDir)) {
      // A concurrent loader may have put a good copy in place meanwhile: keep it (it may be in use). Else move the
      // failed copy aside, so the rename below cannot meet it.
      if (await cacheMatches(modelDir, newIndex, signal)) {
        await rm(staging, { recursive: true, force: true });
        return { modelDir, manifest, reused: false, key, ...(modelConfig === undefined ? {} : { modelConfig }) };
      }
      trash = `${staging}.old`;
      await rename(modelDir, trash);
    }
    try {
      await rename(staging, modelDir);
    } catch (error) {
      if (!(await exists(modelDir))) throw error;
      await rm(staging, { recursive: true, force: true });
    }
    if (trash !== undefined) await rm(trash, { recursive: true, force: true });
    return { modelDir, manifest, reused: false, key, ...(modelConfig === undefined ? {} : { modelConfig }) };
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
