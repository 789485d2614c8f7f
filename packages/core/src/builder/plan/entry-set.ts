import { ModelArchiveError } from '../../errors.js';
import { collisionKey } from '../../read/safe-path.js';
import type { PlannedFile } from './plan-types.js';

/** A file about to be planned, with a short note of which input it came from (for collision messages). */
export interface EntryCandidate extends PlannedFile {
  /** Which option brought the file in (`serializedFile`, `extraFiles: extra_dir`, `modelPath`, ...). */
  input: string;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks an archive path built by the planner: relative, `/`-separated, no empty, `.` or `..` segment, no backslash
 * (`ENTRY_BACKSLASH_PATH`), no control character (`ENTRY_NUL_BYTE`), nothing under `MAR-INF/` (`RESERVED_PATH`,
 * compared case-insensitively).
 */
export const checkArchivePath = (archivePath: string, sourcePath: string): void => {
  const details = { path: archivePath, source: sourcePath };
  if (archivePath.includes('\\')) {
    throw new ModelArchiveError('ENTRY_BACKSLASH_PATH', `File name contains a backslash: ${archivePath}`, { details });
  }
  if (CONTROL.test(archivePath)) {
    const shown = JSON.stringify(archivePath);
    throw new ModelArchiveError('ENTRY_NUL_BYTE', `File name contains a control character: ${shown}`, { details });
  }
  const segments = archivePath.split('/');
  if (archivePath.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new ModelArchiveError('INTERNAL', `Planner produced an unsafe archive path: ${archivePath}`, { details });
  }
  if (segments.length > 1 && collisionKey(segments[0] ?? '') === 'mar-inf') {
    throw new ModelArchiveError('RESERVED_PATH', `${archivePath} would be stored under MAR-INF/, which is reserved`, {
      details,
    });
  }
};

/**
 * The files of a plan, keyed by archive path. Refuses two inputs on one archive path (`ENTRY_COLLISION`), also when
 * the names differ only by case or Unicode normalisation, or when one file's path is another's folder. The same
 * source reaching the same archive path twice (an item and a glob naming one file) is kept once.
 */
export class EntrySet {
  readonly #files = new Map<string, EntryCandidate>();
  /** Folder keys implied by the files so far, each with the first file below it. */
  readonly #folders = new Map<string, EntryCandidate>();

  /** Adds one file or throws `ENTRY_COLLISION` / `RESERVED_PATH` / path errors. */
  add(entry: EntryCandidate): void {
    checkArchivePath(entry.archivePath, entry.sourcePath);
    const key = collisionKey(entry.archivePath);
    const same = this.#files.get(key);
    if (same !== undefined) {
      if (same.archivePath === entry.archivePath && same.sourcePath === entry.sourcePath) return;
      throw collision(entry, same);
    }
    const below = this.#folders.get(key);
    if (below !== undefined) throw collision(entry, below);
    const segments = entry.archivePath.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const folderKey = collisionKey(segments.slice(0, i).join('/'));
      const file = this.#files.get(folderKey);
      if (file !== undefined) throw collision(entry, file);
      if (!this.#folders.has(folderKey)) this.#folders.set(folderKey, entry);
    }
    this.#files.set(key, entry);
  }

  /** True when a file with exactly this archive path is planned. */
  has(archivePath: string): boolean {
    return this.#files.get(collisionKey(archivePath))?.archivePath === archivePath;
  }

  /** The planned files, sorted by archive path in UTF-8 byte order. */
  list(): PlannedFile[] {
    return [...this.#files.values()]
      .map(({ archivePath, sourcePath, size, mode }) => ({ archivePath, sourcePath, size, mode }))
      .sort((a, b) => Buffer.compare(Buffer.from(a.archivePath), Buffer.from(b.archivePath)));
  }
}

const collision = (entry: EntryCandidate, other: EntryCandidate): ModelArchiveError =>
  new ModelArchiveError(
    'ENTRY_COLLISION',
    `${entry.archivePath} (from ${entry.input}: ${entry.sourcePath}) collides with ${other.archivePath} ` +
      `(from ${other.input}: ${other.sourcePath})`,
    {
      details: {
        path: entry.archivePath,
        other: other.archivePath,
        sources: [other.sourcePath, entry.sourcePath],
        inputs: [other.input, entry.input],
      },
    },
  );
