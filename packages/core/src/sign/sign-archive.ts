import { rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { commitOutput, prepareOutput, removeCreatedFolders, temporarySibling } from '../fs/atomic-output.js';
import { outputWriteError } from '../fs/io-errors.js';
import { ModelArchiveError } from '../errors.js';
import { INTEGRITY_PATH, SIGNATURE_PATH } from '../integrity/record.js';
import type { Signature } from '../integrity/record.js';
import type { ModelArchive, ReadLimits } from '../read/archive-types.js';
import { openArchive } from '../read/open-archive.js';
import { verificationError, verifyArchive } from '../verify/verify-archive.js';
import type { KeyInput } from '../integrity/keys.js';
import { rewriteTgz } from './rewrite-tgz.js';
import { rewriteZip } from './rewrite-zip.js';
import { createSignature, serializeSignature } from '../integrity/signature.js';

/** Options of {@link signArchive}. */
export interface SignOptions {
  /** Ed25519 private key (PKCS#8 PEM, or a `KeyObject`). */
  privateKey: KeyInput;
  /** Write the signed archive here instead of replacing the input (zip and tgz only). */
  output?: string;
  /** Replace an existing `output`. */
  force?: boolean;
  /** Check every entry against the record before signing (default true): a signature vouches for the content. */
  verify?: boolean;
  /** Read limits of the safe reader. */
  limits?: Partial<ReadLimits>;
  /** Cancels the rewrite (`ABORTED`); nothing is left behind. */
  signal?: AbortSignal;
}

/** What {@link signArchive} did. */
export interface SignResult {
  /** The signed archive (the input, or `output`). */
  path: string;
  /** `keyId` of the signer. */
  keyId: string;
  /** The signature file written. */
  signature: Signature;
  /** True when an earlier signature was replaced. */
  replacedSignature: boolean;
}

async function writeFolderSignature(folder: string, bytes: Buffer): Promise<void> {
  const target = join(folder, SIGNATURE_PATH);
  const temporary = temporarySibling(target);
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode: 0o644 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw outputWriteError(error, target);
  }
}

async function checkSignable(archive: ModelArchive, options: SignOptions): Promise<Buffer> {
  if (archive.entry(INTEGRITY_PATH) === undefined) {
    throw new ModelArchiveError('INTEGRITY_MISSING', `${archive.path} has no ${INTEGRITY_PATH} to sign; rebuild it with model-archiver create`, {
      details: { path: archive.path },
    });
  }
  if (options.verify !== false) {
    const report = await verifyArchive(archive, options.signal === undefined ? {} : { signal: options.signal });
    if (report.integrity === 'mismatch') throw verificationError(report) ?? new ModelArchiveError('INTEGRITY_MISMATCH', 'Integrity mismatch');
  }
  return archive.readEntry(INTEGRITY_PATH);
}

/**
 * Adds a detached Ed25519 signature over the integrity record (`MAR-INF/signature.json`), replacing any earlier one.
 * Zip entries are copied raw (no recompression), tgz members are copied as they are, and the result replaces the
 * archive atomically (temporary sibling + rename); a folder gets the file written by temp + rename.
 * Throws `INTEGRITY_MISSING` (no record), `INTEGRITY_MISMATCH` (content changed since the record), `KEY_INVALID`.
 *
 * @example
 * const { keyId } = await signArchive('model.mar', { privateKey: fs.readFileSync('signer.pem', 'utf8') });
 */
export async function signArchive(path: string, options: SignOptions): Promise<SignResult> {
  const archive = await openArchive(path, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  let record: Buffer;
  const replacedSignature = archive.entry(SIGNATURE_PATH) !== undefined;
  const { format, root } = archive;
  try {
    record = await checkSignable(archive, options);
  } finally {
    await archive.close();
  }
  const signature = createSignature(record, options.privateKey);
  const bytes = Buffer.from(serializeSignature(signature), 'utf8');
  const source = resolve(path);
  const result = { keyId: signature.keyId, signature, replacedSignature };
  if (format === 'folder') {
    if (options.output !== undefined) {
      throw new ModelArchiveError('INVALID_OPTION', 'A folder archive is signed in place; output is for zip and tgz archives', {
        details: { option: 'output' },
      });
    }
    await writeFolderSignature(source, bytes);
    return { path: source, ...result };
  }
  const target = options.output === undefined ? source : resolve(options.output);
  const inPlace = target === source;
  const prepared = inPlace ? { temporary: temporarySibling(target), createdFolder: undefined } : await prepareOutput(target, options.force === true);
  const { temporary } = prepared;
  try {
    const additions = [{ path: SIGNATURE_PATH, data: bytes }];
    if (format === 'zip') await rewriteZip(source, temporary, additions, options.signal);
    else await rewriteTgz(source, temporary, root, additions);
  } catch (error) {
    await rm(temporary, { force: true });
    await removeCreatedFolders(dirname(target), prepared.createdFolder);
    if (error instanceof ModelArchiveError) throw error;
    throw outputWriteError(error, target);
  }
  await commitOutput(temporary, target, 'file', inPlace || options.force === true);
  return { path: target, ...result };
}
