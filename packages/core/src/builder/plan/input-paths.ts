import type { Stats } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import { errnoOf, inputReadError } from '../../fs/io-errors.js';

/** Where planning happens: the base folder (as given and with links resolved) and the notice list. */
export interface PlanContext {
  cwd: string;
  cwdReal: string;
  warnings: string[];
  signal?: AbortSignal;
}

/** A single input after following links: the path as named, the real path and its `stat`. */
export interface ResolvedInput {
  abs: string;
  real: string;
  stats: Stats;
}

/** True when `child` is `parent` or below it (both absolute, normalised). */
export const isInside = (parent: string, child: string): boolean => {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
};

/** Archive path of an absolute path relative to a folder: forward slashes, or `undefined` when outside it. */
export const relativeArchivePath = (parent: string, child: string): string | undefined => {
  if (!isInside(parent, child)) return undefined;
  return path.relative(parent, child).split(path.sep).join('/');
};

/** Normalised archive mode: `0o755` if any execute bit is set, else `0o644`. */
export const normaliseMode = (mode: number): 0o644 | 0o755 => ((mode & 0o111) !== 0 ? 0o755 : 0o644);

const isMissing = (error: unknown): boolean => {
  const errno = errnoOf(error);
  return errno === 'ENOENT' || errno === 'ENOTDIR';
};

/** `readlink` for messages; falls back to the link itself. */
const linkTarget = async (link: string): Promise<string> => readlink(link).catch(() => link);

/** `SYMLINK_DANGLING` for a link whose target does not exist (or loops). */
export const danglingError = async (link: string, cause?: unknown): Promise<ModelArchiveError> => {
  const target = await linkTarget(link);
  return new ModelArchiveError('SYMLINK_DANGLING', `Symbolic link ${link} points to nothing (${target})`, {
    cause,
    details: { link, target },
  });
};

/** `SYMLINK_ESCAPES` for a link whose target lies outside the tree it was found in. */
export const escapeError = (link: string, target: string, tree: string): ModelArchiveError =>
  new ModelArchiveError('SYMLINK_ESCAPES', `Symbolic link ${link} points outside ${tree} (${target})`, {
    details: { link, target, tree },
  });

/**
 * Resolves a path named by an option (relative to `cwd`), following symbolic links.
 * Missing -> `INPUT_NOT_FOUND` (details: path, flag); dangling link -> `SYMLINK_DANGLING`; a path inside `cwd` whose
 * real path leaves `cwd` -> `SYMLINK_ESCAPES`. Paths named outside `cwd` are followed wherever they lead.
 */
export const resolveInput = async (given: string, flag: string, context: PlanContext): Promise<ResolvedInput> => {
  const abs = path.resolve(context.cwd, given);
  try {
    await lstat(abs);
  } catch (error) {
    if (isMissing(error)) {
      throw new ModelArchiveError('INPUT_NOT_FOUND', `${flag}: ${abs} does not exist`, {
        cause: error,
        details: { path: abs, flag },
      });
    }
    throw inputReadError(error, abs);
  }
  let real: string;
  try {
    real = await realpath(abs);
  } catch (error) {
    if (isMissing(error) || errnoOf(error) === 'ELOOP') throw await danglingError(abs, error);
    throw inputReadError(error, abs);
  }
  if (isInside(context.cwd, abs) && !isInside(context.cwdReal, real)) throw escapeError(abs, real, context.cwd);
  const stats = await stat(real).catch((error: unknown) => {
    throw inputReadError(error, real);
  });
  return { abs, real, stats };
};

/** Like {@link resolveInput} but the input must be a regular file (a folder or special file -> `INVALID_OPTION`). */
export const resolveInputFile = async (given: string, flag: string, context: PlanContext): Promise<ResolvedInput> => {
  const input = await resolveInput(given, flag, context);
  if (!input.stats.isFile()) {
    const kind = input.stats.isDirectory() ? 'a folder' : 'not a regular file';
    throw new ModelArchiveError('INVALID_OPTION', `${flag}: ${input.abs} is ${kind}; a file is expected`, {
      details: { path: input.abs, flag, option: flag },
    });
  }
  return input;
};

/** True when a regular file (links followed) exists at `file`. */
export const isRegularFile = async (file: string): Promise<boolean> => {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
};
