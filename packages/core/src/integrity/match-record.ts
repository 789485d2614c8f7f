import type { EntryType } from '../read/archive-types.js';
import { INTEGRITY_PATH, SIGNATURE_PATH } from './paths.js';
import type { IntegrityFile, IntegrityRecord } from './record.js';

/** How an archive's entries line up with its integrity record. */
export interface RecordMatch {
  /** File entries listed in the record, with what the record expects, in entry order. */
  matched: { path: string; expected: IntegrityFile }[];
  /** Paths in the record that no file entry has, in record order. */
  missing: string[];
  /** Entries the record does not list as files, in entry order. */
  extra: string[];
}

/**
 * Pairs entries with the record: the one definition of what a record covers, shared by `verify`, `lint` and
 * extraction. Folders are ignored; the record and the signature are never listed in the record; anything else the
 * record does not list as a file (including a link standing where it lists a file) is extra.
 */
export function matchRecord(record: IntegrityRecord, entries: Iterable<{ path: string; type?: EntryType }>): RecordMatch {
  const expected = new Map(record.files.map((file) => [file.path, file]));
  const match: RecordMatch = { matched: [], missing: [], extra: [] };
  for (const { path, type = 'file' } of entries) {
    if (type === 'directory' || path === INTEGRITY_PATH || path === SIGNATURE_PATH) continue;
    const want = expected.get(path);
    if (want === undefined || type !== 'file') {
      match.extra.push(path);
      continue;
    }
    expected.delete(path);
    match.matched.push({ path, expected: want });
  }
  match.missing.push(...expected.keys());
  return match;
}
