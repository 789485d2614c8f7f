import type { KeyObject } from 'node:crypto';

import { nodeCrypto } from '../node-crypto.js';

import { ModelArchiveError } from '../errors.js';

/** A key given as PEM text (string or bytes) or as an already-parsed `KeyObject`. */
export type KeyInput = string | Buffer | KeyObject;

/** A fresh Ed25519 key pair, PEM encoded. */
export interface SigningKeys {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`): keep it secret. */
  privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`): give it to whoever verifies. */
  publicKeyPem: string;
  /** SHA-256 (hex) of the DER SPKI public key: the `keyId` written into signatures. */
  keyId: string;
}

/**
 * Generates an Ed25519 key pair for {@link signArchive} (same as `openssl genpkey -algorithm ed25519`).
 *
 * @example
 * const { privateKeyPem, publicKeyPem } = generateSigningKeys();
 */
export function generateSigningKeys(): SigningKeys {
  const { privateKey, publicKey } = nodeCrypto().generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

const ensureEd25519 = (key: KeyObject, kind: 'private' | 'public'): KeyObject => {
  if (key.type !== kind || key.asymmetricKeyType !== 'ed25519') {
    throw new ModelArchiveError(
      'KEY_INVALID',
      `Expected an Ed25519 ${kind} key, got a ${key.asymmetricKeyType ?? 'symmetric'} ${key.type} key`,
      { details: { expected: `ed25519 ${kind}`, actual: `${key.asymmetricKeyType ?? 'unknown'} ${key.type}` } },
    );
  }
  return key;
};

/** Parses an Ed25519 private key (PKCS#8 PEM); anything else throws `KEY_INVALID`. */
export function readPrivateKey(input: KeyInput): KeyObject {
  if (input instanceof nodeCrypto().KeyObject) return ensureEd25519(input, 'private');
  let key: KeyObject;
  try {
    key = nodeCrypto().createPrivateKey({ key: input, format: 'pem' });
  } catch (cause) {
    throw new ModelArchiveError('KEY_INVALID', 'The private key is not a PEM private key (expected PKCS#8 Ed25519)', { cause });
  }
  return ensureEd25519(key, 'private');
}

/**
 * Parses an Ed25519 public key (SPKI PEM). A private key is refused (`KEY_INVALID`): verifiers should
 * never hold the signer's secret.
 */
export function readPublicKey(input: KeyInput): KeyObject {
  if (input instanceof nodeCrypto().KeyObject) return ensureEd25519(input, 'public');
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.includes('PRIVATE KEY')) {
    throw new ModelArchiveError('KEY_INVALID', 'A private key was given where a public key is expected');
  }
  let key: KeyObject;
  try {
    key = nodeCrypto().createPublicKey({ key: text, format: 'pem' });
  } catch (cause) {
    throw new ModelArchiveError('KEY_INVALID', 'The public key is not a PEM public key (expected SPKI Ed25519)', { cause });
  }
  return ensureEd25519(key, 'public');
}

/** `keyId` of a public key: lowercase hex SHA-256 of its DER SPKI encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  return nodeCrypto().createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}
