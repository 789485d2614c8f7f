import type { IntegrityRecord } from './record.js';

/**
 * Parses and validates integrity-record bytes like `parseIntegrityRecord`, importing the record's schema (zod) on the
 * first call: the reading entry point (`@model-archiver/core/read`) loads no schema library until one is needed.
 * @throws INTEGRITY_MISMATCH when the bytes are not a valid record.
 */
export async function parseIntegrityRecordLazily(bytes: Uint8Array | string): Promise<IntegrityRecord> {
  const { parseIntegrityRecord } = await import('./record.js');
  return parseIntegrityRecord(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
