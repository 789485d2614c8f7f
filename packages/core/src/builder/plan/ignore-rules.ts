import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type ignore from 'ignore';
import { ModelArchiveError } from '../../errors.js';
import { errnoOf, inputReadError } from '../../fs/io-errors.js';

/** Name of the per-folder ignore file (gitignore syntax), read at the root of each walked folder. */
export const MARIGNORE = '.marignore';

/** Ignore settings shared by every walked folder. */
export interface IgnoreSettings {
  /** False when `ignoreFile: false` turned `.marignore` lookup off. */
  useMarignore: boolean;
  /** Content of `options.ignoreFile`, applied to every walked folder (patterns relative to that folder). */
  extraRules?: string;
}

const readText = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw inputReadError(error, file);
  }
};

/** Reads `options.ignoreFile` once (missing -> `INPUT_NOT_FOUND`, flag `ignoreFile`). */
export const loadIgnoreSettings = async (
  ignoreFile: string | false | undefined,
  cwd: string,
): Promise<IgnoreSettings> => {
  if (ignoreFile === false) return { useMarignore: false };
  if (ignoreFile === undefined) return { useMarignore: true };
  const file = path.resolve(cwd, ignoreFile);
  const extraRules = await readText(file);
  if (extraRules === undefined) {
    throw new ModelArchiveError('INPUT_NOT_FOUND', `ignoreFile: ${file} does not exist`, {
      details: { path: file, flag: 'ignoreFile' },
    });
  }
  return { useMarignore: true, extraRules };
};

/** The ignore matcher of one folder: its root `.marignore` plus the shared rules; `undefined` when there are none. */
export const folderIgnore = async (folder: string, settings: IgnoreSettings): Promise<ignore.Ignore | undefined> => {
  const local = settings.useMarignore ? await readText(path.join(folder, MARIGNORE)) : undefined;
  if (local === undefined && settings.extraRules === undefined) return undefined;
  const { default: createIgnore } = await import('ignore'); // loaded on use: only when ignore rules exist
  const matcher = createIgnore();
  if (local !== undefined) matcher.add(local);
  if (settings.extraRules !== undefined) matcher.add(settings.extraRules);
  return matcher;
};
