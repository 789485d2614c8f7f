import { ModelArchiveError } from '../errors.js';
import type { ReadLimits } from './archive-types.js';

// Control characters (C0, DEL, C1). A NUL byte truncates names in C APIs; the others hide names in terminals.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE = /^[A-Za-z]:/;

/** Limits that apply to entry names. */
export type PathLimits = Pick<ReadLimits, 'maxPathLength' | 'maxPathDepth'>;

const refuse = (code: ConstructorParameters<typeof ModelArchiveError>[0], message: string, name: string): never => {
  throw new ModelArchiveError(code, message, { details: { entry: name } });
};

/**
 * Checks one raw entry name and returns its canonical form: forward slashes, no `.` or empty segments, no trailing
 * slash (`''` is the archive root itself, as in a tar `./` entry). Throws, in this order:
 * `ENTRY_NUL_BYTE` (NUL or another control character), `ENTRY_DRIVE_PATH` (`C:`), `ENTRY_ABSOLUTE_PATH` (`/x`, `//host/x`),
 * `ENTRY_BACKSLASH_PATH` (`a\b`), `ENTRY_PATH_TRAVERSAL` (a `..` segment), `LIMIT_PATH_LENGTH` (bytes or depth).
 *
 * @example
 * normalizeEntryPath('./model/a.onnx', DEFAULT_READ_LIMITS); // 'model/a.onnx'
 * normalizeEntryPath('../etc/passwd', DEFAULT_READ_LIMITS); // throws ENTRY_PATH_TRAVERSAL
 */
export function normalizeEntryPath(name: string, limits: PathLimits): string {
  if (CONTROL.test(name)) refuse('ENTRY_NUL_BYTE', `Entry name contains a NUL byte or control character: ${JSON.stringify(name)}`, name);
  if (DRIVE.test(name)) refuse('ENTRY_DRIVE_PATH', `Entry name starts with a drive letter: ${name}`, name);
  if (name.startsWith('/')) refuse('ENTRY_ABSOLUTE_PATH', `Entry name is absolute: ${name}`, name);
  if (name.includes('\\')) refuse('ENTRY_BACKSLASH_PATH', `Entry name contains a backslash: ${name}`, name);
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) refuse('ENTRY_PATH_TRAVERSAL', `Entry name has a '..' segment: ${name}`, name);
  const canonical = segments.join('/');
  if (Buffer.byteLength(canonical) > limits.maxPathLength || segments.length > limits.maxPathDepth) {
    throw new ModelArchiveError('LIMIT_PATH_LENGTH', `Entry name is too long or too deep: ${canonical.slice(0, 200)}`, {
      details: { entry: canonical, bytes: Buffer.byteLength(canonical), depth: segments.length, limits },
    });
  }
  return canonical;
}

/** True when `name` passes {@link normalizeEntryPath} (no throw). */
export function isSafeEntryPath(name: string, limits: PathLimits): boolean {
  try {
    normalizeEntryPath(name, limits);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves a link target inside the archive tree. `linkPath` is the canonical path of the link entry; a symlink target
 * is relative to the link's folder, a hard link target (tar) is an archive path. Returns the canonical target path, or
 * `undefined` when the target is absolute, uses a drive letter, backslashes or control characters, or climbs above the root.
 */
export function resolveLinkTarget(linkPath: string, target: string, kind: 'symlink' | 'hardlink'): string | undefined {
  if (target === '' || CONTROL.test(target) || DRIVE.test(target) || target.startsWith('/') || target.includes('\\')) {
    return undefined;
  }
  const stack = kind === 'symlink' ? linkPath.split('/').slice(0, -1) : [];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) return undefined;
      stack.pop();
    } else {
      stack.push(segment);
    }
  }
  return stack.join('/');
}

/** What a name is used as, for collision checks. */
export interface NamedEntry {
  path: string;
  type: string;
}

/**
 * The key under which two paths collide on extraction: equal after Unicode NFC normalisation and case folding (as on
 * macOS and Windows file systems). The one definition shared by the reader, the build planner and lint.
 */
export const collisionKey = (path: string): string => path.normalize('NFC').toLowerCase();

/**
 * Finds names that would land on the same file on extraction. Throws `ENTRY_DUPLICATE` (same canonical name, or a file
 * used as a folder), `ENTRY_UNICODE_COLLISION` (equal after NFC normalisation: `é` vs `e\u0301`) or `ENTRY_CASE_COLLISION`
 * (equal after case folding, as on macOS and Windows file systems).
 */
export function checkNameCollisions(entries: readonly NamedEntry[]): void {
  const exact = new Map<string, string>();
  const nfc = new Map<string, string>();
  const folded = new Map<string, string>();
  const implied = new Map<string, string>();
  for (const { path, type } of entries) {
    if (path === '') continue;
    const isDir = type === 'directory';
    const seen = exact.get(path);
    if (seen !== undefined) {
      if (seen === 'directory' && isDir) continue;
      throw new ModelArchiveError('ENTRY_DUPLICATE', `Two entries are named ${path}`, { details: { entry: path } });
    }
    exact.set(path, type);
    const n = path.normalize('NFC');
    const otherN = nfc.get(n);
    if (otherN !== undefined && otherN !== path && !(isDir && exact.get(otherN) === 'directory')) {
      throw new ModelArchiveError('ENTRY_UNICODE_COLLISION', `Entries ${otherN} and ${path} are equal after Unicode normalisation`, {
        details: { entry: path, other: otherN },
      });
    }
    nfc.set(n, path);
    const f = collisionKey(path);
    const otherF = folded.get(f);
    if (otherF !== undefined && otherF !== path && !(isDir && exact.get(otherF) === 'directory')) {
      throw new ModelArchiveError('ENTRY_CASE_COLLISION', `Entries ${otherF} and ${path} differ only by case`, {
        details: { entry: path, other: otherF },
      });
    }
    folded.set(f, path);
    if (!isDir) {
      const dir = implied.get(f);
      if (dir !== undefined && (type === 'symlink' || type === 'hardlink')) {
        throw new ModelArchiveError('ENTRY_SYMLINK_ESCAPES', `Entries under ${dir}/ would be written through the link ${path}`, {
          details: { entry: path, link: path },
        });
      }
      if (dir !== undefined) {
        throw new ModelArchiveError(dir === path ? 'ENTRY_DUPLICATE' : 'ENTRY_CASE_COLLISION', `Entry ${path} is also used as a folder (${dir}/...)`, {
          details: { entry: path, other: dir },
        });
      }
    }
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const ancestor = segments.slice(0, i).join('/');
      const key = collisionKey(ancestor);
      const holder = folded.get(key);
      const holderType = holder === undefined ? undefined : exact.get(holder);
      if (holder !== undefined && (holderType === 'symlink' || holderType === 'hardlink')) {
        throw new ModelArchiveError('ENTRY_SYMLINK_ESCAPES', `Entry ${path} would be written through the link ${holder}`, {
          details: { entry: path, link: holder },
        });
      }
      if (holder !== undefined && holderType !== 'directory') {
        throw new ModelArchiveError(holder === ancestor ? 'ENTRY_DUPLICATE' : 'ENTRY_CASE_COLLISION', `Entry ${holder} is also used as a folder by ${path}`, {
          details: { entry: path, other: holder },
        });
      }
      if (!implied.has(key)) implied.set(key, ancestor);
    }
  }
}
