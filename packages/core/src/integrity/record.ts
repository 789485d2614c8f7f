import { z } from 'zod';

import { ModelArchiveError } from '../errors.js';
import { INTEGRITY_PATH } from './paths.js';

// The paths live in a schema-free module (the reading entry point needs them without zod); re-exported here.
export { INTEGRITY_PATH, SIGNATURE_PATH } from './paths.js';

/** One file in the integrity record. */
export const IntegrityFileSchema = z.strictObject({
  path: z.string().min(1).describe('Archive path, forward slashes, relative to the archive root'),
  size: z.int().nonnegative().describe('Uncompressed size in bytes'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).describe('Lowercase hex SHA-256 of the uncompressed bytes'),
});

/** `MAR-INF/integrity.json`: every entry of the archive (manifest included, record and signature excluded). */
export const IntegrityRecordSchema = z.strictObject({
  integrityVersion: z.literal(1).describe('Format version of this record'),
  algorithm: z.literal('sha256').describe('Digest algorithm of every file'),
  files: z.array(IntegrityFileSchema).describe('Every archive entry except the record and the signature, sorted by path'),
});

export type IntegrityFile = z.output<typeof IntegrityFileSchema>;
export type IntegrityRecord = z.output<typeof IntegrityRecordSchema>;

/** `MAR-INF/signature.json`: a detached signature over the exact bytes of the integrity record. */
export const SignatureSchema = z.strictObject({
  signatureVersion: z.literal(1).describe('Format version of this file'),
  algorithm: z.literal('ed25519').describe('Signature algorithm'),
  signedPath: z.literal(INTEGRITY_PATH).describe('The entry whose exact bytes are signed'),
  keyId: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the DER (SPKI) public key'),
  publicKey: z.string().min(1).describe('The signer public key, PEM (SPKI)'),
  signature: z.string().min(1).describe('Base64 Ed25519 signature'),
});
export type Signature = z.output<typeof SignatureSchema>;

const byPath = (a: IntegrityFile, b: IntegrityFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Builds a record from entries (sorted by path, byte order); deterministic for the same entries. */
export function createIntegrityRecord(files: readonly IntegrityFile[]): IntegrityRecord {
  return {
    integrityVersion: 1,
    algorithm: 'sha256',
    files: files.map(({ path, size, sha256 }) => ({ path, size, sha256 })).sort(byPath),
  };
}

/** The exact bytes stored in the archive: 2-space JSON with a trailing newline. */
export function serializeIntegrityRecord(record: IntegrityRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** Parses and validates record bytes; throws `MANIFEST_INVALID`-free, coded `INTEGRITY_MISMATCH` when malformed. */
export function parseIntegrityRecord(text: string): IntegrityRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelArchiveError('INTEGRITY_MISMATCH', `${INTEGRITY_PATH} is not valid JSON`, { cause });
  }
  const parsed = IntegrityRecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelArchiveError('INTEGRITY_MISMATCH', `${INTEGRITY_PATH} is malformed: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

/** Parses `MAR-INF/signature.json`; a malformed file throws `SIGNATURE_INVALID`. */
export function parseSignature(text: string): Signature {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelArchiveError('SIGNATURE_INVALID', 'MAR-INF/signature.json is not valid JSON', { cause });
  }
  const parsed = SignatureSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelArchiveError('SIGNATURE_INVALID', `MAR-INF/signature.json is malformed: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
