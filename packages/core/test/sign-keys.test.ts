import { generateKeyPairSync } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { generateSigningKeys, keyIdOf, readPrivateKey, readPublicKey } from '../src/integrity/keys.js';
import { parseSignature } from '../src/integrity/record.js';
import { checkSignature, createSignature, serializeSignature } from '../src/integrity/signature.js';

const record = Buffer.from('{"integrityVersion":1}\n');

describe('signing keys', () => {
  it('generates an Ed25519 pair whose keyId is the SHA-256 of the SPKI public key', () => {
    const keys = generateSigningKeys();
    expect(keys.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(keys.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(keys.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(keyIdOf(readPublicKey(keys.publicKeyPem))).toBe(keys.keyId);
  });

  it('refuses keys of another type, swapped keys and garbage with KEY_INVALID', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = generateSigningKeys();
    expect(() => readPrivateKey(ecPem)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => readPrivateKey(keys.publicKeyPem)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => readPublicKey(keys.privateKeyPem)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => readPublicKey('not a key')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => readPublicKey(ec.publicKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});

describe('detached signatures', () => {
  it('verifies with the signer key and round-trips through its JSON form', () => {
    const keys = generateSigningKeys();
    const signature = parseSignature(serializeSignature(createSignature(record, keys.privateKeyPem)));
    expect(signature.keyId).toBe(keys.keyId);
    expect(checkSignature(record, signature, keys.publicKeyPem).status).toBe('valid');
    expect(checkSignature(record, signature).status).toBe('untrusted');
  });

  it('is invalid for another key, other bytes, or a swapped embedded key', () => {
    const signer = generateSigningKeys();
    const other = generateSigningKeys();
    const signature = createSignature(record, signer.privateKeyPem);
    expect(checkSignature(record, signature, other.publicKeyPem).status).toBe('invalid');
    expect(checkSignature(Buffer.from('{"integrityVersion":2}\n'), signature, signer.publicKeyPem).status).toBe('invalid');
    expect(checkSignature(Buffer.from('{"integrityVersion":2}\n'), signature).status).toBe('invalid');
    const forged = { ...createSignature(record, other.privateKeyPem), keyId: signer.keyId };
    expect(checkSignature(record, forged, signer.publicKeyPem).status).toBe('invalid');
    expect(checkSignature(record, { ...signature, publicKey: other.publicKeyPem }).status).toBe('invalid');
  });

  it('refuses malformed signature files with SIGNATURE_INVALID', () => {
    expect(() => parseSignature('{')).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
    expect(() => parseSignature('{"signatureVersion":2}')).toThrow(expect.objectContaining({ code: 'SIGNATURE_INVALID' }));
  });
});
