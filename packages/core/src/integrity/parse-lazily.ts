import { NO_MATCH } from '../json-check/compile-json-parse.js';
import { documentParser, type DocumentName } from '../json-check/document-parsers.js';
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
 * The document's value by the zod-free parse of `name`, or, when that refuses it, what `explain` (the zod parse, which
 * throws the coded error for an invalid document) returns.
 */
async function parseLazily<T>(bytes: Uint8Array | string, name: DocumentName, explain: (text: string) => Promise<T>): Promise<T> {
  const text = textOf(bytes);
  const json = jsonOf(text);
  const parsed = json === NO_MATCH ? NO_MATCH : documentParser(name)(json);
  return parsed === NO_MATCH ? explain(text) : (parsed as T);
}

/**
 * Parses and validates integrity-record bytes like `parseIntegrityRecord`, with the same result and the same
 * `INTEGRITY_MISMATCH` error, but loads no schema library for a valid record: it is checked with the schema generated
 * from zod (`json-check/`), and the record's zod schema is imported only to explain one that is not valid.
 * @throws INTEGRITY_MISMATCH when the bytes are not a valid record.
 */
export function parseIntegrityRecordLazily(bytes: Uint8Array | string): Promise<IntegrityRecord> {
  return parseLazily(bytes, 'integrity-record', async (text) => (await import('./record.js')).parseIntegrityRecord(text));
}

/**
 * Parses `MAR-INF/signature.json` like `parseSignature` (same result, same `SIGNATURE_INVALID` error), importing its
 * zod schema only for a file that is not valid (see {@link parseIntegrityRecordLazily}).
 * @throws SIGNATURE_INVALID when the bytes are not a valid signature file.
 */
export function parseSignatureLazily(bytes: Uint8Array | string): Promise<Signature> {
  return parseLazily(bytes, 'signature', async (text) => (await import('./record.js')).parseSignature(text));
}
