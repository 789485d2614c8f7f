import { finished } from 'node:stream/promises';

import { abortedError, isModelArchiveError, ModelArchiveError } from '../errors.js';
import { matchRecord } from '../integrity/match-record.js';
import { parseIntegrityRecordLazily, parseSignatureLazily } from '../integrity/parse-lazily.js';
import { INTEGRITY_PATH, SIGNATURE_PATH } from '../integrity/paths.js';
import type { IntegrityRecord } from '../integrity/record.js';
import type { ModelArchive, ReadLimits } from '../read/archive-types.js';
import type { KeyInput } from '../integrity/keys.js';
import { checkSignature } from '../integrity/signature.js';
import { mapWithConcurrency } from '../map-with-concurrency.js';
import { hashEntry, hashStream, type EntryDigest } from './hash-entry.js';
import { withArchive } from './with-archive.js';
import type { ArchiveSource } from './with-archive.js';
import { archiveWarnings } from '../read/archive-warnings.js';

/** Options of {@link verifyArchive}. */
export interface VerifyOptions {
  /**
   * Trusted Ed25519 public key (SPKI PEM). Without it a signature is only checked against the key it carries; with it
   * a signature is required unless `requireSignature` is `false` or `allowUnverified` is set.
   */
  publicKey?: KeyInput;
  /**
   * Fail closed: a missing integrity record makes `ok` false with `INTEGRITY_MISSING` (default true; `false` or
   * `allowUnverified` accepts an archive without one, as the reference tools make them).
   */
  requireIntegrity?: boolean;
  /** A missing signature makes `ok` false with `SIGNATURE_MISSING` (default: true when `publicKey` is given). */
  requireSignature?: boolean;
  /**
   * Accept what cannot be verified (CLI `--allow-unverified`): an archive without an integrity record, and an unsigned
   * one even when `publicKey` is given. What is there is still checked: a record that does not match, or a signature
   * that is invalid, still fails.
   */
  allowUnverified?: boolean;
  /** Cancels hashing (`ABORTED`). */
  signal?: AbortSignal;
  /** Read limits when `source` is a path. */
  limits?: Partial<ReadLimits>;
}

/** An entry whose bytes differ from the integrity record. */
export interface ModifiedEntry {
  path: string;
  /** `digest`: other bytes; `size`: other length; `unreadable`: the reader refused the data (bad CRC, truncated). */
  reason: 'digest' | 'size' | 'unreadable';
  expected: { size: number; sha256: string };
  /** Absent when the entry could not be read. */
  actual?: { size: number; sha256: string };
  /** The reader's error code for `unreadable`. */
  errorCode?: string;
}

/** What {@link verifyArchive} found. */
export interface VerifyReport {
  /** True unless something is modified, missing, extra or badly signed (or required and absent). */
  ok: boolean;
  /** Absolute path of the archive. */
  path: string;
  /** `missing`: no `MAR-INF/integrity.json` (archives of the reference tools); `mismatch`: entries differ or the record is malformed. */
  integrity: 'missing' | 'ok' | 'mismatch';
  /** Entries whose bytes or size differ from the record. */
  modified: ModifiedEntry[];
  /** Paths in the record that are not in the archive. */
  missing: string[];
  /** Entries in the archive that the record does not list (record and signature excluded). */
  extra: string[];
  /** Entries hashed. */
  checked: number;
  /** The manifest: `ok` (read and valid), `missing` (`MANIFEST_MISSING`) or `invalid` (not JSON or not a valid manifest). */
  manifest: 'ok' | 'missing' | 'invalid';
  /** `not-checked`: signed, consistent with its embedded key, but no trusted key was given. */
  signature: 'absent' | 'valid' | 'invalid' | 'not-checked';
  /** `keyId` of the signature, when there is one. */
  keyId?: string;
  /** Plain-language notes (missing record, why a signature is invalid, a malformed record). */
  notes: string[];
  /** Why `ok` is false, most serious first; empty when ok. */
  failures: VerifyFailure[];
  /** How the archive was read, when that needs saying (a duplicate manifest: the last copy is used). */
  warnings: string[];
}

/** Error codes a verification can fail with. */
export type VerifyFailure =
  | 'INTEGRITY_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_MISSING'
  | 'INTEGRITY_MISSING'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_MISSING';

/**
 * Compares the record with the archive listing only: paths and declared sizes, no payload read. Cheap (lint's
 * default); it cannot see changed bytes of the same length, which {@link verifyArchive} does.
 */
export function compareListing(
  archive: ModelArchive,
  record: IntegrityRecord,
): Pick<VerifyReport, 'modified' | 'missing' | 'extra'> {
  const { matched, missing, extra } = matchRecord(record, archive.entries);
  const modified: ModifiedEntry[] = [];
  for (const { path, expected } of matched) {
    const size = archive.entry(path)?.size;
    if (size !== expected.size) modified.push({ path, reason: 'size', expected: { size: expected.size, sha256: expected.sha256 } });
  }
  return { modified, missing, extra };
}

/**
 * Entries hashed at once: small entries are dominated by per-entry latency, which overlapping hides. A tgz entry is
 * reached by inflating the stream from its start, so those are hashed one at a time.
 */
const hashConcurrency = (archive: ModelArchive): number => (archive.format === 'tgz' ? 1 : 4);

/** Compares every file entry's SHA-256 and size with the record; fills `modified`, `missing`, `extra` (in archive order). */
async function compareWithRecord(
  archive: ModelArchive,
  record: IntegrityRecord,
  report: VerifyReport,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { matched, missing, extra } = matchRecord(record, archive.entries);
  report.extra.push(...extra);
  report.missing.push(...missing);
  const toHash = matched.map(({ path, expected }) => ({ path, want: { size: expected.size, sha256: expected.sha256 } }));
  const compare = (path: string, want: { size: number; sha256: string }, actual: EntryDigest): ModifiedEntry | undefined => {
    report.checked += 1;
    if (actual.size !== want.size) return { path, reason: 'size', expected: want, actual };
    if (actual.sha256 !== want.sha256) return { path, reason: 'digest', expected: want, actual };
    return undefined;
  };
  // A .tar.gz is hashed in one pass over its files (openEntry would inflate it again from the start per large entry).
  const oneStream = new Map<string, EntryDigest>();
  if (archive.format === 'tgz' && archive.forEachFile !== undefined) {
    const wanted = new Set(toHash.map((t) => t.path));
    try {
      await archive.forEachFile(async (info, stream) => {
        if (!wanted.has(info.path)) {
          stream.resume();
          await finished(stream);
          return;
        }
        oneStream.set(info.path, await hashStream(stream, signal));
      });
    } catch (error) {
      // A damaged stream: the entries not hashed yet are read one by one below and reported 'unreadable' with their
      // code, as for any other format.
      if (signal?.aborted || !isModelArchiveError(error)) throw error;
    }
  }
  const results = await mapWithConcurrency(toHash, hashConcurrency(archive), async ({ path, want }): Promise<ModifiedEntry | undefined> => {
    if (signal?.aborted === true) throw abortedError('Verification', signal);
    const known = oneStream.get(path);
    if (known !== undefined) return compare(path, want, known);
    try {
      return compare(path, want, await hashEntry(archive, path, signal));
    } catch (error) {
      if (signal?.aborted) throw new ModelArchiveError('ABORTED', 'Verification was cancelled', { cause: error });
      if (!isModelArchiveError(error)) throw error;
      return { path, reason: 'unreadable', expected: want, errorCode: error.code };
    }
  });
  for (const modified of results) if (modified !== undefined) report.modified.push(modified);
}

/**
 * Recomputes every entry's SHA-256 and size against `MAR-INF/integrity.json` and checks `MAR-INF/signature.json`.
 * Never throws for a mismatch: the report says what differs. Throws for unreadable archives and bad keys (`KEY_INVALID`).
 *
 * @example
 * const report = await verifyArchive('model.mar', { publicKey: fs.readFileSync('signer.pub.pem', 'utf8') });
 * if (!report.ok) throw verificationError(report);
 */
export function verifyArchive(source: ArchiveSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  return withArchive(source, options.limits, (archive) => verifyOpened(archive, options), options.signal);
}

async function verifyOpened(archive: ModelArchive, options: VerifyOptions): Promise<VerifyReport> {
  const report: VerifyReport = {
    ok: true,
    path: archive.path,
    integrity: 'missing',
    modified: [],
    missing: [],
    extra: [],
    checked: 0,
    manifest: 'ok',
    signature: 'absent',
    notes: [],
    failures: [],
    warnings: archiveWarnings(archive),
  };
  let recordBytes: Buffer | undefined;
  if (archive.entry(INTEGRITY_PATH) === undefined) {
    report.notes.push(`No integrity record (${INTEGRITY_PATH}): archives made by the reference tools have none, so nothing was checked.`);
  } else {
    recordBytes = await archive.readEntry(INTEGRITY_PATH);
    try {
      const record = await parseIntegrityRecordLazily(recordBytes);
      await compareWithRecord(archive, record, report, options.signal);
      const clean = report.modified.length === 0 && report.missing.length === 0 && report.extra.length === 0;
      report.integrity = clean ? 'ok' : 'mismatch';
    } catch (error) {
      if (!isModelArchiveError(error) || error.code !== 'INTEGRITY_MISMATCH') throw error;
      report.integrity = 'mismatch';
      report.notes.push(error.message);
    }
  }
  if (archive.entry(SIGNATURE_PATH) !== undefined) {
    await checkArchiveSignature(archive, recordBytes, report, options.publicKey);
  } else if (options.publicKey !== undefined) {
    report.notes.push('A public key was given but the archive is not signed.');
  }
  if (report.integrity === 'mismatch') report.failures.push('INTEGRITY_MISMATCH');
  if (report.signature === 'invalid') report.failures.push('SIGNATURE_INVALID');
  const relaxed = options.allowUnverified === true;
  const requireSignature = options.requireSignature ?? (options.publicKey !== undefined && !relaxed);
  const requireIntegrity = options.requireIntegrity ?? !relaxed;
  if (requireSignature && report.signature !== 'valid' && report.signature !== 'invalid') {
    report.failures.push('SIGNATURE_MISSING');
    if (report.signature === 'not-checked') report.notes.push('A signature is required: give the trusted public key to check it.');
  }
  if (requireIntegrity && report.integrity === 'missing') report.failures.push('INTEGRITY_MISSING');
  await checkManifest(archive, report);
  report.ok = report.failures.length === 0;
  return report;
}

/** An archive whose manifest is missing or invalid is no model archive, whatever its record says. */
async function checkManifest(archive: ModelArchive, report: VerifyReport): Promise<void> {
  try {
    await archive.readManifest();
  } catch (error) {
    if (!isModelArchiveError(error) || (error.code !== 'MANIFEST_INVALID' && error.code !== 'MANIFEST_MISSING')) throw error;
    report.manifest = error.code === 'MANIFEST_MISSING' ? 'missing' : 'invalid';
    report.notes.push(error.message);
    report.failures.push(error.code);
  }
}

async function checkArchiveSignature(
  archive: ModelArchive,
  recordBytes: Buffer | undefined,
  report: VerifyReport,
  publicKey: KeyInput | undefined,
): Promise<void> {
  let signature;
  try {
    signature = await parseSignatureLazily(await archive.readEntry(SIGNATURE_PATH));
  } catch (error) {
    if (!isModelArchiveError(error) || error.code !== 'SIGNATURE_INVALID') throw error;
    report.signature = 'invalid';
    report.notes.push(error.message);
    return;
  }
  report.keyId = signature.keyId;
  if (recordBytes === undefined) {
    report.signature = 'invalid';
    report.notes.push(`The archive has a signature but no ${INTEGRITY_PATH} for it to sign.`);
    return;
  }
  const check = checkSignature(recordBytes, signature, publicKey);
  report.signature = check.status === 'untrusted' ? 'not-checked' : check.status;
  if (check.reason !== undefined) report.notes.push(`Signature invalid: ${check.reason}.`);
  if (check.status === 'untrusted') {
    report.notes.push(`Signed by key ${signature.keyId}; pass a trusted public key to check who signed it.`);
  }
}

/** The coded error for a failed report (its first failure); `undefined` when the report is ok. */
export function verificationError(report: VerifyReport): ModelArchiveError | undefined {
  const [failure] = report.failures;
  if (failure === undefined) return undefined;
  const details = {
    path: report.path,
    modified: report.modified.map((m) => m.path),
    missing: report.missing,
    extra: report.extra,
    signature: report.signature,
    keyId: report.keyId,
  };
  const counts = `${report.modified.length} modified, ${report.missing.length} missing, ${report.extra.length} extra`;
  const messages: Record<VerifyFailure, string> = {
    INTEGRITY_MISMATCH: `${report.path} does not match its integrity record (${counts})`,
    SIGNATURE_INVALID: `The signature of ${report.path} is invalid`,
    SIGNATURE_MISSING: `${report.path} carries no signature that a trusted key verifies`,
    MANIFEST_INVALID: `The manifest of ${report.path} is not a valid manifest`,
    MANIFEST_MISSING: `${report.path} has no manifest (MAR-INF/MANIFEST.json)`,
    INTEGRITY_MISSING:
      `${report.path} has no integrity record (${INTEGRITY_PATH}), so nothing could be verified. Archives made by the ` +
      'reference tools have none: rebuild it with `model-archiver create` to add one, or pass --allow-unverified ' +
      '(option allowUnverified) to accept it unchecked',
  };
  return new ModelArchiveError(failure, messages[failure], { details });
}
