import { copyFile, chmod, constants, lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { setMaxListeners } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';

import { abortedError, isModelArchiveError, ModelArchiveError } from '../errors.js';
import { parseIntegrityRecordLazily } from '../integrity/parse-lazily.js';
import { INTEGRITY_PATH } from '../integrity/paths.js';
import type { IntegrityRecord } from '../integrity/record.js';
import type { ReadLimits } from '../read/archive-types.js';
import type { BaseArchive } from '../read/base-archive.js';
import { archiveWarnings } from '../read/archive-warnings.js';
import { openArchiveInternal } from '../read/open-archive.js';
import { targetPath, writeEntry, type WriteBudget, type WrittenFile } from './entry-writer.js';
import { planExtraction } from './extract-plan.js';
import { assertIntegrity, diffIntegrity } from './integrity-compare.js';

/** Options of {@link extractArchive}. */
export interface ExtractOptions {
  /** Replace an existing `dest` (default: refuse with `OUTPUT_EXISTS`). */
  force?: boolean;
  /** Overrides of the read limits; the total-size and entry limits are enforced on actual bytes too. */
  limits?: Partial<ReadLimits>;
  /** Cancels the extraction (`ABORTED`); nothing is left behind. */
  signal?: AbortSignal;
  /** Hash every file while writing and compare with `MAR-INF/integrity.json` (`INTEGRITY_MISSING` / `INTEGRITY_MISMATCH`). */
  verifyIntegrity?: boolean;
  /**
   * Read and validate the manifest before writing anything (default true): an archive without one is
   * `MANIFEST_MISSING`, one that is not JSON or not a valid manifest `MANIFEST_INVALID`. `false` (CLI `--no-validate`)
   * extracts whatever the archive holds.
   */
  validateManifest?: boolean;
}

/** What {@link extractArchive} made. */
export interface ExtractResult {
  /** Absolute path of the extracted folder. */
  dest: string;
  /** Files written (link entries materialised as copies included). */
  files: number;
  /** Bytes written. */
  bytes: number;
  /** Link entries not materialised: they point to a folder or to nothing inside the archive. */
  skipped: string[];
  /** True when the integrity record was checked and matched. */
  verified: boolean;
  /** How the archive was read, when that needs saying (a duplicate manifest: the last copy is written). */
  warnings: string[];
}

/** Files written at once (zip and folder archives; a tgz is one stream, read in order). */
const WRITE_CONCURRENCY = 8;

const exists = (path: string): Promise<boolean> => lstat(path).then(() => true, () => false);

const aborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted === true) throw abortedError('Extraction', signal);
};

const asWriteError = (error: unknown, dest: string): unknown => {
  if (isModelArchiveError(error)) return error;
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError') return new ModelArchiveError('ABORTED', 'Extraction was cancelled', { cause: error }); // a stream's AbortError: its own cause
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new ModelArchiveError('OUTPUT_WRITE_FAILED', `Cannot write ${dest}: ${(error as Error).message}`, { cause: error, details: { dest, errno: code } });
  }
  return error;
};

/**
 * Extracts an archive safely: every check of `openArchive` plus the extraction checks (special files, link targets,
 * case/Unicode collisions) runs first; files are written with exclusive creates into a fresh temporary sibling of
 * `dest`, which is renamed into place only when everything succeeded; on any failure it is removed. Nothing is ever
 * written outside that folder, and link entries are never created as links (in-archive targets are copied).
 *
 * @example
 * const { dest, files, bytes } = await extractArchive('resnet.mar', '/srv/models/resnet', { verifyIntegrity: true });
 */
export async function extractArchive(archivePath: string, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const target = resolve(dest);
  if (!options.force && (await exists(target))) {
    throw new ModelArchiveError('OUTPUT_EXISTS', `${dest} exists; pass --force (option force) to replace it`, { details: { dest: target } });
  }
  aborted(options.signal);
  // Files in flight each listen to the signal (twice): a signal of our own, following the caller's, keeps them from
  // piling listeners (and Node's leak warning) onto the caller's.
  const local = options.signal === undefined ? undefined : new AbortController();
  const follow = (): void => local?.abort(options.signal?.reason);
  if (local !== undefined) setMaxListeners(4 * WRITE_CONCURRENCY + 8, local.signal);
  options.signal?.addEventListener('abort', follow, { once: true });
  try {
    return await extractWith(archivePath, target, options, local?.signal);
  } finally {
    options.signal?.removeEventListener('abort', follow);
  }
}

async function extractWith(archivePath: string, target: string, options: ExtractOptions, signal: AbortSignal | undefined): Promise<ExtractResult> {
  const archive = await openArchiveInternal(archivePath, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(signal === undefined ? {} : { signal }),
  });
  let temp: string | undefined;
  try {
    const plan = await planExtraction(archive);
    if (options.validateManifest !== false) await archive.readManifest();
    const record = options.verifyIntegrity ? await readRecord(archive) : undefined;
    await mkdir(dirname(target), { recursive: true });
    temp = await mkdtemp(join(dirname(target), `.${basename(target)}.extract-`));
    const root = temp;
    const budget: WriteBudget = { bytes: 0, maxBytes: archive.limits.maxTotalSize, archive: archive.path };
    const written = new Map<string, WrittenFile>();
    const folders = new Set<string>([root]);
    for (const dir of plan.directories) {
      const folder = targetPath(root, dir);
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
    // Several files in flight where the container allows it (zip, folder): a file costs a few file-system calls, and
    // overlapping them keeps an archive of many small entries from being bound by their latency.
    await archive.forEachFile(async (info, stream) => {
      aborted(signal);
      const options_ = { budget, folders, size: info.size, hash: record !== undefined, ...(signal ? { signal } : {}) };
      written.set(info.path, await writeEntry(root, info.path, stream, { ...options_, ...(info.mode !== undefined ? { mode: info.mode } : {}), ...(info.mtime ? { mtime: info.mtime } : {}) }));
    }, WRITE_CONCURRENCY);
    const skipped: string[] = [];
    for (const link of plan.links) {
      aborted(signal);
      const file = await archive.resolveFile(link.path).catch((error: unknown) => {
        if (isModelArchiveError(error) && (error.code === 'ENTRY_NOT_FOUND' || error.code === 'ENTRY_SYMLINK_ESCAPES')) return undefined;
        throw error;
      });
      const source = file === undefined ? undefined : written.get(file.path);
      if (file === undefined || source === undefined) {
        skipped.push(link.path);
        continue;
      }
      budget.bytes += source.size;
      if (budget.bytes > budget.maxBytes) {
        throw new ModelArchiveError('LIMIT_TOTAL_SIZE', `Extraction of ${archive.path} passed the total-size limit`, {
          details: { archive: archive.path, entry: link.path, limit: budget.maxBytes },
        });
      }
      const to = targetPath(root, link.path);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(targetPath(root, file.path), to, constants.COPYFILE_EXCL);
      written.set(link.path, source);
    }
    if (record !== undefined) assertIntegrity(archive.path, diffIntegrity(record, written));
    aborted(signal);
    await chmod(root, 0o755);
    await moveIntoPlace(root, target, options.force === true);
    temp = undefined;
    return { dest: target, files: written.size, bytes: budget.bytes, skipped, verified: record !== undefined, warnings: archiveWarnings(archive) };
  } catch (error) {
    throw asWriteError(error, target);
  } finally {
    await archive.close();
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
  }
}

async function readRecord(archive: BaseArchive): Promise<IntegrityRecord> {
  if (archive.entry(INTEGRITY_PATH)?.type !== 'file') {
    throw new ModelArchiveError('INTEGRITY_MISSING', `${archive.path} has no ${INTEGRITY_PATH}`, { details: { archive: archive.path } });
  }
  const bytes = await archive.readEntry(INTEGRITY_PATH);
  return parseIntegrityRecordLazily(bytes);
}

/** Renames the finished temp folder onto `target`; with `force` the old target is moved aside first, then removed. */
async function moveIntoPlace(temp: string, target: string, force: boolean): Promise<void> {
  if (!(await exists(target))) {
    await rename(temp, target);
    return;
  }
  if (!force) throw new ModelArchiveError('OUTPUT_EXISTS', `${target} appeared during extraction`, { details: { dest: target } });
  const aside = `${temp}.old`;
  await rename(target, aside);
  try {
    await rename(temp, target);
  } catch (error) {
    await rename(aside, target);
    throw error;
  }
  await rm(aside, { recursive: true, force: true });
}
