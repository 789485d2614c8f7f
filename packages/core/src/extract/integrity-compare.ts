import { ModelArchiveError } from '../errors.js';
import { matchRecord } from '../integrity/match-record.js';
import type { IntegrityRecord } from '../integrity/record.js';
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

/** Compares extracted files with the record (see {@link matchRecord} for what the record covers). */
export function diffIntegrity(record: IntegrityRecord, written: ReadonlyMap<string, WrittenFile>): IntegrityDiff {
  const { matched, missing, extra } = matchRecord(record, Array.from(written.keys(), (path) => ({ path })));
  const modified = matched
    .filter(({ path, expected }) => {
      const got = written.get(path);
      return got?.size !== expected.size || got.sha256 !== expected.sha256;
    })
    .map(({ path }) => path);
  return { modified, missing, extra };
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
