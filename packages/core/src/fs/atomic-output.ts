import { nodeCrypto } from '../node-crypto.js';
import { link, lstat, mkdir, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

import { ModelArchiveError } from '../errors.js';
import { errnoOf, outputWriteError } from './io-errors.js';
import { removeStaleTemporaries, temporaryName } from './stale-temporaries.js';

/** What kind of output is written: a single file (zip, tgz) or a folder (`no-archive`). */
export type OutputKind = 'file' | 'folder';

const exists = async (path: string): Promise<boolean> => {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return false;
    throw outputWriteError(error, path);
  }
};

const outputExists = (target: string): ModelArchiveError =>
  new ModelArchiveError('OUTPUT_EXISTS', `Output ${target} already exists; pass --force (option force) to replace it`, {
    details: { path: target },
  });

/**
 * A temporary sibling name: `<target>.model-archiver-tmp-<pid>-<random>`, in the same folder so that a rename is
 * atomic, and recognisable so that {@link removeStaleTemporaries} can clean what a killed run left.
 */
export const temporarySibling = (target: string, tag = 'tmp'): string => temporaryName(target, tag, process.pid, nodeCrypto().randomBytes(4).toString('hex'));

/** What {@link prepareOutput} set up: where to write, and the export folder it had to create (if any). */
export interface PreparedOutput {
  /** Temporary sibling path to write the output to. */
  temporary: string;
  /** The outermost folder `prepareOutput` created for the export path, to remove again if the run fails. */
  createdFolder: string | undefined;
}

/**
 * Checks the target before any work (`OUTPUT_EXISTS` unless `force`), creates the export folder (recursive), removes
 * the temporary outputs of dead runs next to the target, and returns the temporary path to write to. Nothing is
 * created at the temporary path itself.
 */
export async function prepareOutput(target: string, force: boolean): Promise<PreparedOutput> {
  if (!force && (await exists(target))) throw outputExists(target);
  const folder = dirname(target);
  let createdFolder: string | undefined;
  try {
    createdFolder = await mkdir(folder, { recursive: true });
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'EEXIST' || errno === 'ENOTDIR') {
      throw new ModelArchiveError('INPUT_NOT_DIRECTORY', `Export path ${folder} is not a directory`, {
        cause: error,
        details: { path: folder },
      });
    }
    throw outputWriteError(error, folder);
  }
  await removeStaleTemporaries(target);
  return { temporary: temporarySibling(target), createdFolder };
}

/**
 * Undoes the export folder creation of a failed run: removes the folders from `folder` up to `createdFolder`
 * (inclusive) while they are empty, so the file system is left as it was. Never throws.
 */
export async function removeCreatedFolders(folder: string, createdFolder: string | undefined): Promise<void> {
  if (createdFolder === undefined) return;
  for (let current = folder; ; current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (something else wrote there) or already gone: leave it
    }
    if (current === createdFolder || dirname(current) === current) return;
  }
}

/** Removes a temporary output (file or folder); never throws. */
export async function discardOutput(temporary: string): Promise<void> {
  await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Moves the finished temporary output into place and returns whether an existing output was replaced.
 * - Without `force` it never replaces anything, even a file created meanwhile: a file is hard-linked to the target
 *   (fails with `EEXIST`) then its temporary name removed; a folder claims the target with `mkdir` (fails with
 *   `EEXIST`) then is renamed onto that empty folder. Both give `OUTPUT_EXISTS`.
 * - With `force` a file is renamed over the target (atomic); a folder (or anything in the way of a folder) is renamed
 *   aside, the new one renamed in, and the old one removed, so no stale file survives.
 * On failure the temporary output is removed.
 */
export async function commitOutput(temporary: string, target: string, kind: OutputKind, force: boolean): Promise<boolean> {
  try {
    if (force) return await replace(temporary, target, kind);
    if (kind === 'file') await linkNoReplace(temporary, target);
    else await renameFolderNoReplace(temporary, target);
    return false;
  } catch (error) {
    await discardOutput(temporary);
    throw error instanceof ModelArchiveError ? error : outputWriteError(error, target);
  }
}

async function linkNoReplace(temporary: string, target: string): Promise<void> {
  try {
    await link(temporary, target);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'EEXIST') throw outputExists(target);
    // File systems without hard links: check, then rename (a small race window remains there).
    if (errno !== 'EPERM' && errno !== 'ENOTSUP' && errno !== 'ENOSYS' && errno !== 'EXDEV' && errno !== 'EMLINK') throw error;
    if (await exists(target)) throw outputExists(target);
    await rename(temporary, target);
    return;
  }
  await unlink(temporary);
}

async function renameFolderNoReplace(temporary: string, target: string): Promise<void> {
  try {
    await mkdir(target);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw outputExists(target);
    throw error;
  }
  try {
    await rename(temporary, target);
  } catch (error) {
    await rmdir(target).catch(() => undefined);
    if (errnoOf(error) === 'ENOTEMPTY' || errnoOf(error) === 'EEXIST') throw outputExists(target);
    throw error;
  }
}

async function replace(temporary: string, target: string, kind: OutputKind): Promise<boolean> {
  const existing = await lstat(target).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (!existing) {
    await rename(temporary, target);
    return false;
  }
  if (kind === 'file' && !existing.isDirectory()) {
    await rename(temporary, target);
    return true;
  }
  const aside = temporarySibling(target, 'old');
  await rename(target, aside);
  try {
    await rename(temporary, target);
  } catch (error) {
    await rename(aside, target).catch(() => undefined);
    throw error;
  }
  await rm(aside, { recursive: true, force: true }).catch(() => undefined);
  return true;
}
