import { ModelArchiveError } from '../errors.js';
import { INTEGRITY_PATH, SIGNATURE_PATH, type IntegrityRecord } from '../integrity/record.js';
import type { WrittenFile } from './entry-writer.js';

/** Differences between an integrity record and what was extracted. */
export interface IntegrityDiff {
  /** In both, with another size or SHA-256. */
  modified: string[];
  /** In the record, not extracted. */
  missing: string[];
  /** Extracted, not in the record. */
  extra: string[];
}

/** Compares extracted files with the record (the record and signature themselves are not listed in it). */
export function diffIntegrity(record: IntegrityRecord, written: ReadonlyMap<string, WrittenFile>): IntegrityDiff {
  const diff: IntegrityDiff = { modified: [], missing: [], extra: [] };
  const expected = new Map(record.files.map((f) => [f.path, f]));
  for (const file of record.files) {
    const got = written.get(file.path);
    if (got === undefined) diff.missing.push(file.path);
    else if (got.size !== file.size || got.sha256 !== file.sha256) diff.modified.push(file.path);
  }
  for (const path of written.keys()) {
    if (path !== INTEGRITY_PATH && path !== SIGNATURE_PATH && !expected.has(path)) diff.extra.push(path);
  }
  return diff;
}

/** Throws `INTEGRITY_MISMATCH` with `details: { modified, missing, extra }` unless the diff is empty. */
export function assertIntegrity(archive: string, diff: IntegrityDiff): void {
  const count = diff.modified.length + diff.missing.length + diff.extra.length;
  if (count === 0) return;
  throw new ModelArchiveError(
    'INTEGRITY_MISMATCH',
    `${archive} differs from its integrity record: ${diff.modified.length} modified, ${diff.missing.length} missing, ${diff.extra.length} extra`,
    { details: { archive, ...diff } },
  );
}
