import type { KeyObject } from 'node:crypto';

import { nodeCrypto } from '../node-crypto.js';

import { INTEGRITY_PATH } from './paths.js';
import type { Signature } from './record.js';
import { keyIdOf, readPrivateKey, readPublicKey } from './keys.js';
import type { KeyInput } from './keys.js';

/**
 * Signs the exact bytes of an integrity record with an Ed25519 private key.
 * Returns the `MAR-INF/signature.json` object (the public key and its id travel with it).
 */
export function createSignature(recordBytes: Uint8Array, privateKey: KeyInput): Signature {
  const key = readPrivateKey(privateKey);
  const publicKey = nodeCrypto().createPublicKey(key);
  return {
    signatureVersion: 1,
    algorithm: 'ed25519',
    signedPath: INTEGRITY_PATH,
    keyId: keyIdOf(publicKey),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    signature: nodeCrypto().sign(null, recordBytes, key).toString('base64'),
  };
}

/** The exact bytes stored as `MAR-INF/signature.json`: 2-space JSON with a trailing newline. */
export function serializeSignature(signature: Signature): string {
  return `${JSON.stringify(signature, null, 2)}\n`;
}

/** Outcome of {@link checkSignature}. */
export interface SignatureCheck {
  /** `valid`: verifies with the trusted key; `invalid`: does not (or was made by another key); `untrusted`: consistent
   * with the key embedded in the file, but no trusted key was given. */
  status: 'valid' | 'invalid' | 'untrusted';
  /** The `keyId` the signature file claims. */
  keyId: string;
  /** Why it is invalid, for people. */
  reason?: string;
}

const verifyWith = (recordBytes: Uint8Array, signature: Signature, key: KeyObject): boolean => {
  try {
    return nodeCrypto().verify(null, recordBytes, key, Buffer.from(signature.signature, 'base64'));
  } catch {
    return false;
  }
};

/**
 * Checks a detached signature over the record bytes. With `trustedKey`, only that key counts (a signature by any
 * other key is `invalid`); without it, the embedded key is used and a good result is only `untrusted`.
 */
export function checkSignature(recordBytes: Uint8Array, signature: Signature, trustedKey?: KeyInput): SignatureCheck {
  const { keyId } = signature;
  if (trustedKey !== undefined) {
    const key = readPublicKey(trustedKey);
    if (keyIdOf(key) !== keyId) return { status: 'invalid', keyId, reason: 'signed by another key' };
    return verifyWith(recordBytes, signature, key)
      ? { status: 'valid', keyId }
      : { status: 'invalid', keyId, reason: 'the signature does not match the integrity record' };
  }
  let embedded: KeyObject;
  try {
    embedded = readPublicKey(signature.publicKey);
  } catch {
    return { status: 'invalid', keyId, reason: 'the embedded public key is not an Ed25519 SPKI key' };
  }
  if (keyIdOf(embedded) !== keyId) return { status: 'invalid', keyId, reason: 'keyId does not match the embedded key' };
  return verifyWith(recordBytes, signature, embedded)
    ? { status: 'untrusted', keyId }
    : { status: 'invalid', keyId, reason: 'the signature does not match the integrity record' };
}
