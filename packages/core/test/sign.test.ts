import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';

import { SIGNATURE_PATH } from '../src/integrity/record.js';
import { openArchive } from '../src/read/open-archive.js';
import { generateSigningKeys } from '../src/integrity/keys.js';
import { signArchive } from '../src/sign/sign-archive.js';
import { verifyArchive } from '../src/verify/verify-archive.js';
import { buildNodeArchive, REFERENCE, tempDir, writeZip } from './lint-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('sign')));
afterEach(async () => cleanup());

/** Compressed bytes, method and CRC of every zip entry, read with yauzl without inflating. */
async function rawEntries(path: string): Promise<Map<string, { method: number; crc32: number; raw: Buffer }>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z))));
  const out = new Map<string, { method: number; crc32: number; raw: Buffer }>();
  await new Promise<void>((res, rej) => {
    zip.on('end', () => res());
    zip.on('error', rej);
    zip.on('entry', (entry: yauzl.Entry) => {
      const options = (entry.compressionMethod === 8 ? { decompress: false } : {}) as yauzl.ZipFileOptions;
      zip.openReadStream(entry, options, (err, stream) => {
        if (err) return rej(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          out.set(entry.fileName, { method: entry.compressionMethod, crc32: entry.crc32, raw: Buffer.concat(chunks) });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return out;
}

/** Entry paths and bytes, in container order. */
async function contents(path: string): Promise<Array<[string, string]>> {
  const archive = await openArchive(path);
  try {
    const out: Array<[string, string]> = [];
    for (const e of archive.entries) if (e.type === 'file') out.push([e.path, (await archive.readEntry(e.path)).toString('base64')]);
    return out;
  } finally {
    await archive.close();
  }
}

describe('signArchive', () => {
  it.each(['default', 'zip-store', 'tgz'] as const)('adds a signature to a %s archive and keeps every other entry byte for byte', async (archiveFormat) => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13, extra: { 'labels.txt': 'a\nb\n' } }, { archiveFormat });
    const before = await contents(built.outputPath);
    const keys = generateSigningKeys();
    const result = await signArchive(built.outputPath, { privateKey: keys.privateKeyPem });
    expect(result).toMatchObject({ path: built.outputPath, keyId: keys.keyId, replacedSignature: false });
    const after = await contents(built.outputPath);
    expect(after.filter(([p]) => p !== SIGNATURE_PATH)).toEqual(before);
    expect(after.map(([p]) => p)).toContain(SIGNATURE_PATH);
    expect(await verifyArchive(built.outputPath, { publicKey: keys.publicKeyPem })).toMatchObject({ ok: true, signature: 'valid', integrity: 'ok' });
    expect((await readdir(dirname(built.outputPath))).sort()).toEqual([basename(built.outputPath)]);
  });

  it('copies zip entries without recompressing them', async () => {
    const built = await buildNodeArchive(dir, { extra: { 'text.txt': 'hello '.repeat(1000) } });
    const output = join(dir, 'signed.mar');
    const original = await readFile(built.outputPath);
    await signArchive(built.outputPath, { privateKey: generateSigningKeys().privateKeyPem, output });
    const before = await rawEntries(built.outputPath);
    const after = await rawEntries(output);
    expect(before.get('text.txt')?.method).toBe(8);
    for (const [name, raw] of before) expect(after.get(name), name).toEqual(raw);
    expect(await readFile(built.outputPath)).toEqual(original);
  });

  it('replaces an earlier signature when signing again with another key', async () => {
    const built = await buildNodeArchive(dir);
    const first = generateSigningKeys();
    const second = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: first.privateKeyPem });
    const again = await signArchive(built.outputPath, { privateKey: second.privateKeyPem });
    expect(again.replacedSignature).toBe(true);
    expect((await contents(built.outputPath)).filter(([p]) => p === SIGNATURE_PATH)).toHaveLength(1);
    expect((await verifyArchive(built.outputPath, { publicKey: second.publicKeyPem })).signature).toBe('valid');
    expect((await verifyArchive(built.outputPath, { publicKey: first.publicKeyPem })).signature).toBe('invalid');
  });

  it('refuses an archive without an integrity record with INTEGRITY_MISSING', async () => {
    const keys = generateSigningKeys();
    await expect(signArchive(join(REFERENCE, 'ts_default/mymodel.mar'), { privateKey: keys.privateKeyPem, output: join(dir, 'x.mar') })).rejects.toMatchObject({
      code: 'INTEGRITY_MISSING',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to sign content that no longer matches its record with INTEGRITY_MISMATCH', async () => {
    const built = await buildNodeArchive(dir, { extra: { 'a.txt': 'original' } });
    const entries = (await contents(built.outputPath)).map(([name, data]) => ({
      name,
      data: name === 'a.txt' ? 'tampered' : Buffer.from(data, 'base64'),
    }));
    const tampered = await writeZip(join(dir, 'tampered.mar'), entries);
    await expect(signArchive(tampered, { privateKey: generateSigningKeys().privateKeyPem })).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('refuses keys that are not Ed25519 private keys with KEY_INVALID and leaves the archive alone', async () => {
    const built = await buildNodeArchive(dir);
    const before = await readFile(built.outputPath);
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(signArchive(built.outputPath, { privateKey: ecPem })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    await expect(signArchive(built.outputPath, { privateKey: generateSigningKeys().publicKeyPem })).rejects.toMatchObject({ code: 'KEY_INVALID' });
    expect(await readFile(built.outputPath)).toEqual(before);
  });

  it('does not overwrite an existing output without force', async () => {
    const built = await buildNodeArchive(dir);
    const output = join(dir, 'taken.mar');
    await writeZip(output, [{ name: 'x', data: 'x' }]);
    await expect(signArchive(built.outputPath, { privateKey: generateSigningKeys().privateKeyPem, output })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
    });
  });
});
