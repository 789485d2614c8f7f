import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import { throwIfAborted } from '../../fs/io-errors.js';
import type { EntrySet } from './entry-set.js';
import type { IgnoreSettings } from './ignore-rules.js';
import {
  type PlanContext,
  type ResolvedInput,
  isInside,
  normaliseMode,
  relativeArchivePath,
  resolveInput,
} from './input-paths.js';
import { keepAllFiles, walkFolder } from './walk-folder.js';

/** What extra-file planning needs besides the entry set. */
export interface ExtraFilesContext extends PlanContext {
  ignore: IgnoreSettings;
  /** Absolute real paths never archived (the output). */
  skip: readonly string[];
  /** Reproduce TorchServe's flattening: files at the root, folders' children at the root. */
  flatten: boolean;
}

/** TorchServe's wildcard test: `*`, `?`, or both `[` and `]`. */
export const isGlobItem = (item: string): boolean => /[*?]/.test(item) || (item.includes('[') && item.includes(']'));

/** Where a named file or folder goes: its path relative to `cwd` when inside it, else its base name. */
const keptName = (abs: string, cwd: string): string => relativeArchivePath(cwd, abs) ?? path.basename(abs);

const addResolved = async (
  input: ResolvedInput,
  label: string,
  context: ExtraFilesContext,
  entries: EntrySet,
): Promise<void> => {
  if (context.skip.some((skip) => isInside(skip, input.real))) {
    context.warnings.push(`${input.abs} is the build output; not archived`);
    return;
  }
  if (input.stats.isFile()) {
    const archivePath = context.flatten ? path.basename(input.abs) : keptName(input.abs, context.cwd);
    entries.add({
      archivePath,
      sourcePath: input.real,
      size: input.stats.size,
      mode: normaliseMode(input.stats.mode),
      input: label,
    });
    return;
  }
  if (!input.stats.isDirectory()) {
    throw new ModelArchiveError('INVALID_OPTION', `extraFiles: ${input.abs} is not a regular file nor a folder`, {
      details: { path: input.abs, flag: 'extraFiles', option: 'extraFiles' },
    });
  }
  const prefix = context.flatten ? '' : keptName(input.abs, context.cwd);
  const files = await walkFolder({
    folder: input.abs,
    fileFilter: keepAllFiles,
    ignore: context.ignore,
    skip: context.skip,
    warnings: context.warnings,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  for (const file of files) {
    entries.add({
      archivePath: prefix === '' ? file.relPath : `${prefix}/${file.relPath}`,
      sourcePath: file.sourcePath,
      size: file.size,
      mode: file.mode,
      input: label,
    });
  }
};

/**
 * Adds TorchServe `--extra-files` items: each trimmed item is a file, a folder or a glob (fast-glob, hidden names
 * matched only by patterns that start with `.`). Missing plain items -> `INPUT_NOT_FOUND`; unmatched globs -> warning.
 * Layout is kept (paths relative to `cwd`, base name when outside it) unless `flatten`.
 */
export const planExtraFiles = async (
  items: readonly string[],
  context: ExtraFilesContext,
  entries: EntrySet,
): Promise<void> => {
  for (const raw of items) {
    throwIfAborted(context.signal);
    const item = raw.trim();
    if (item === '') {
      context.warnings.push('extraFiles: empty item ignored');
      continue;
    }
    const label = `extraFiles: ${item}`;
    if (!isGlobItem(item)) {
      await addResolved(await resolveInput(item, 'extraFiles', context), label, context, entries);
      continue;
    }
    const pattern = path.sep === '\\' ? item.replace(/\\/g, '/') : item;
    const { default: fg } = await import('fast-glob'); // loaded on use: keeps `import` of core cheap
    const matches = await fg(pattern, {
      cwd: context.cwd,
      absolute: true,
      dot: false,
      onlyFiles: false,
      followSymbolicLinks: false,
      unique: true,
    });
    if (matches.length === 0) {
      context.warnings.push(`extraFiles: pattern did not match any file: ${item}`);
      continue;
    }
    matches.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const match of matches) {
      await addResolved(await resolveInput(path.resolve(match), 'extraFiles', context), label, context, entries);
    }
  }
};
