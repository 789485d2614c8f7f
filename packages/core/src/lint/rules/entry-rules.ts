import { INTEGRITY_PATH, SIGNATURE_PATH } from '../../integrity/paths.js';
import { MANIFEST_PATH } from '../../vocabulary/manifest-flavours.js';
import type { LintIssue, LintRule } from '../lint-types.js';
import { collisionKey } from '../../read/safe-path.js';

/** Entries allowed under `MAR-INF/`. */
const RESERVED_ALLOWED = new Set([MANIFEST_PATH, INTEGRITY_PATH, SIGNATURE_PATH]);

/** Size above which a deflated entry that did not shrink is reported. */
export const DEFLATE_WASTE_MIN_SIZE = 1024 * 1024;
/** A deflated entry whose stored size is above this fraction of its size gained nothing. */
export const DEFLATE_WASTE_RATIO = 0.98;

/** MA012: no two entries share a name. */
export const duplicateEntry: LintRule = {
  id: 'MA012',
  name: 'duplicate-entry',
  severity: 'error',
  description: 'No two entries have the same path (which copy a loader uses depends on the loader).',
  help: 'Rebuild the archive; model-archiver create refuses colliding inputs.',
  check: (ctx) => {
    const seen = new Set<string>();
    const issues: LintIssue[] = [];
    for (const entry of ctx.archive.entries) {
      if (seen.has(entry.path)) issues.push({ message: `${entry.path} appears more than once`, entry: entry.path, code: 'ENTRY_DUPLICATE' });
      seen.add(entry.path);
    }
    return issues;
  },
};

/** MA013: names differ by more than case or Unicode normalisation. */
export const caseCollision: LintRule = {
  id: 'MA013',
  name: 'case-collision',
  severity: 'warning',
  description: 'No two entry paths are equal ignoring case or after Unicode NFC normalisation (they collide when extracted on macOS or Windows).',
  help: 'Rename one of the files.',
  check: (ctx) => {
    const seen = new Map<string, string>();
    const issues: LintIssue[] = [];
    for (const entry of ctx.archive.entries) {
      const key = collisionKey(entry.path);
      const other = seen.get(key);
      if (other !== undefined && other !== entry.path) {
        issues.push({ message: `${entry.path} and ${other} collide on case-insensitive file systems`, entry: entry.path, code: 'ENTRY_CASE_COLLISION' });
      }
      seen.set(key, entry.path);
    }
    return issues;
  },
};

/** MA014: nothing unknown under `MAR-INF/`. */
export const reservedEntry: LintRule = {
  id: 'MA014',
  name: 'reserved-entry',
  severity: 'error',
  description: 'Entries under MAR-INF/ are only MANIFEST.json, integrity.json and signature.json.',
  help: 'Move the file out of MAR-INF/: that folder is reserved for the archive format.',
  check: (ctx) =>
    ctx.archive.entries
      .filter((e) => e.type !== 'directory' && e.path.startsWith('MAR-INF/') && !RESERVED_ALLOWED.has(e.path))
      .map((e) => ({ message: `${e.path} is under the reserved MAR-INF/ folder`, entry: e.path, code: 'RESERVED_PATH' })),
};

/** MA015: tgz archives have one root folder. */
export const tgzSingleRoot: LintRule = {
  id: 'MA015',
  name: 'tgz-single-root',
  severity: 'error',
  description: 'A .tar.gz archive holds everything under a single root folder (<model-name>/...), which TorchServe strips when unpacking.',
  help: 'Rebuild with model-archiver create --archive-format tgz.',
  check: (ctx) =>
    ctx.archive.format === 'tgz' && (ctx.archive.root === undefined || ctx.archive.root === '')
      ? [{ message: 'The tar.gz has no single root folder: TorchServe would strip the first path component of every entry' }]
      : [],
};

/** MA016: large deflated entries that did not shrink. */
export const deflatedForNothing: LintRule = {
  id: 'MA016',
  name: 'deflated-for-nothing',
  severity: 'warning',
  description: 'An entry larger than 1 MiB is deflated although its compressed size is above 98% of its size (weights rarely compress): loading pays for inflating it.',
  help: 'Rebuild with the default --compression auto (stores incompressible files) or --archive-format zip-store.',
  check: (ctx) =>
    ctx.archive.entries
      .filter((e) => e.method === 'deflate' && e.size > DEFLATE_WASTE_MIN_SIZE && e.compressedSize > e.size * DEFLATE_WASTE_RATIO)
      .map((e) => ({
        message: `${e.path}: ${e.size} bytes deflated to ${e.compressedSize} (${((e.compressedSize / e.size) * 100).toFixed(1)}%)`,
        entry: e.path,
      })),
};

/** MA017: stored entries with a data descriptor. */
export const storedDataDescriptor: LintRule = {
  id: 'MA017',
  name: 'stored-data-descriptor',
  severity: 'error',
  description: 'No stored (uncompressed) zip entry uses a data descriptor (flag bit 3): the Java ZipInputStream of MMS and TorchServe cannot read them.',
  help: 'Rebuild the archive with a seekable writer (model-archiver create never writes data descriptors).',
  check: (ctx) =>
    ctx.archive.entries
      .filter((e) => e.method === 'store' && e.dataDescriptor === true)
      .map((e) => ({ message: `${e.path} is stored with a data descriptor`, entry: e.path })),
};

/** Entry rules, in id order. */
export const ENTRY_LINT_RULES: readonly LintRule[] = [
  duplicateEntry,
  caseCollision,
  reservedEntry,
  tgzSingleRoot,
  deflatedForNothing,
  storedDataDescriptor,
];
