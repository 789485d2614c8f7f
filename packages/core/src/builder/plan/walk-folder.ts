import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { errnoOf, inputReadError, throwIfAborted } from '../../fs/io-errors.js';
import { type IgnoreSettings, MARIGNORE, folderIgnore } from './ignore-rules.js';
import { danglingError, escapeError, isInside, normaliseMode } from './input-paths.js';

/** A file found by {@link walkFolder}, relative to the walked folder. */
export interface WalkedFile {
  /** Path below the folder, `/`-separated. */
  relPath: string;
  /** Real path of the bytes (links resolved). */
  sourcePath: string;
  size: number;
  mode: 0o644 | 0o755;
}

/** Which files a walk keeps, beyond the shared folder pruning. */
export type FileFilter = (name: string) => boolean;

/** Both reference tools prune these folders at every depth: `__MACOSX`, `__pycache__` and names starting with `.`. */
export const isPrunedFolder = (name: string): boolean =>
  name === '__MACOSX' || name === '__pycache__' || name.startsWith('.');

/** MMS file filter (every depth): drop `MANIFEST.json`, `*.pyc`, `*.DS_Store`, `*.mar`; hidden files are kept. */
export const mmsFileFilter: FileFilter = (name) =>
  name !== 'MANIFEST.json' && !name.endsWith('.pyc') && !name.endsWith('.DS_Store') && !name.endsWith('.mar');

/** TorchServe keeps every file of an extra folder (its file filter is never called). */
export const keepAllFiles: FileFilter = () => true;

/** Options of {@link walkFolder}. */
export interface WalkOptions {
  /** Absolute folder to walk (may itself be a link). */
  folder: string;
  fileFilter: FileFilter;
  ignore: IgnoreSettings;
  /** Absolute paths never archived (the output itself when it lies in the tree). */
  skip: readonly string[];
  warnings: string[];
  signal?: AbortSignal;
}

/**
 * Lists the files of a folder tree with the archive filters, the folder's `.marignore` and the symlink policy:
 * a link to a file inside the tree is archived with the target's content; a link to a folder inside the tree adds
 * nothing (its target is archived once, under its own path: no duplicates, no cycles); a dangling link ->
 * `SYMLINK_DANGLING`; a link leaving the tree -> `SYMLINK_ESCAPES`; FIFOs, sockets and devices are skipped with a
 * warning.
 * Empty folders produce nothing (archives hold files only).
 */
export const walkFolder = async (options: WalkOptions): Promise<WalkedFile[]> => {
  const root = await realpath(options.folder).catch((error: unknown) => {
    throw inputReadError(error, options.folder);
  });
  const matcher = await folderIgnore(root, options.ignore);
  const files: WalkedFile[] = [];
  const skipped = (abs: string, rel: string): boolean => {
    if (!options.skip.some((skip) => abs === skip || isInside(skip, abs))) return false;
    options.warnings.push(`${path.join(options.folder, rel)} is the build output; not archived`);
    return true;
  };

  const visit = async (dir: string, prefix: string): Promise<void> => {
    throwIfAborted(options.signal);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw inputReadError(error, dir);
    }
    entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
    for (const entry of entries) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (isPrunedFolder(entry.name) || matcher?.ignores(`${rel}/`) === true || skipped(abs, rel)) continue;
        await visit(abs, rel);
        continue;
      }
      if (prefix === '' && entry.name === MARIGNORE && options.ignore.useMarignore) continue;
      if (!options.fileFilter(entry.name) || matcher?.ignores(rel) === true || skipped(abs, rel)) continue;
      if (entry.isFile()) {
        const stats = await stat(abs).catch((error: unknown) => {
          throw inputReadError(error, abs);
        });
        files.push({ relPath: rel, sourcePath: abs, size: stats.size, mode: normaliseMode(stats.mode) });
      } else if (entry.isSymbolicLink()) {
        const file = await followLink(abs, rel, root, options);
        if (file !== undefined) files.push(file);
      } else {
        options.warnings.push(`${abs} is not a regular file (FIFO, socket or device); skipped`);
      }
    }
  };
  await visit(root, '');
  return files;
};

const followLink = async (
  abs: string,
  rel: string,
  root: string,
  options: WalkOptions,
): Promise<WalkedFile | undefined> => {
  let target: string;
  try {
    target = await realpath(abs);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR' || errno === 'ELOOP') throw await danglingError(abs, error);
    throw inputReadError(error, abs);
  }
  if (!isInside(root, target)) throw escapeError(abs, target, options.folder);
  const stats = await stat(target).catch((error: unknown) => {
    throw inputReadError(error, target);
  });
  if (stats.isFile()) return { relPath: rel, sourcePath: target, size: stats.size, mode: normaliseMode(stats.mode) };
  if (stats.isDirectory()) {
    const targetRel = path.relative(root, target).split(path.sep).join('/') || '.';
    options.warnings.push(`${rel} links to the folder ${targetRel} of the same tree; not followed (archived as ${targetRel})`);
  } else {
    options.warnings.push(`${abs} links to a FIFO, socket or device; skipped`);
  }
  return undefined;
};
