import { NO_MATCH } from '../json-check/compile-json-parse.js';
import { documentParser } from '../json-check/document-parsers.js';
import type { IntegrityRecord, Signature } from './record.js';

const textOf = (bytes: Uint8Array | string): string =>
  typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** The JSON value of `text`, or NO_MATCH when it is not JSON (zod's side then reports it). */
const jsonOf = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NO_MATCH;
  }
};

/**
 * Parses and validates integrity-record bytes like `parseIntegrityRecord`, with the same result and the same
 * `INTEGRITY_MISMATCH` error, but loads no schema library for a valid record: it is checked with the schema generated
 * from zod (`json-check/`), and the record's zod schema is imported only to explain one that is not valid.
 * @throws INTEGRITY_MISMATCH when the bytes are not a valid record.
 */
export async function parseIntegrityRecordLazily(bytes: Uint8Array | string): Promise<IntegrityRecord> {
  const text = textOf(bytes);
  const json = jsonOf(text);
  const record = json === NO_MATCH ? NO_MATCH : documentParser('integrity-record')(json);
  if (record !== NO_MATCH) return record as IntegrityRecord;
  return (await import('./record.js')).parseIntegrityRecord(text);
}

/**
 * Parses `MAR-INF/signature.json` like `parseSignature` (same result, same `SIGNATURE_INVALID` error), importing its
 * zod schema only for a file that is not valid (see {@link parseIntegrityRecordLazily}).
 * @throws SIGNATURE_INVALID when the bytes are not a valid signature file.
 */
export async function parseSignatureLazily(bytes: Uint8Array | string): Promise<Signature> {
  const text = textOf(bytes);
  const json = jsonOf(text);
  const signature = json === NO_MATCH ? NO_MATCH : documentParser('signature')(json);
  if (signature !== NO_MATCH) return signature as Signature;
  return (await import('./record.js')).parseSignature(text);
}
