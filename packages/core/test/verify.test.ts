import { randomBytes } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildTgz } from '../../../fixtures/hostile/tar-builder.mjs';
import { generateSigningKeys } from '../src/integrity/keys.js';
import { openArchive } from '../src/read/open-archive.js';
import { signArchive } from '../src/sign/sign-archive.js';
import { verificationError, verifyArchive } from '../src/verify/verify-archive.js';
import { buildNodeArchive, REFERENCE, REFERENCE_ARCHIVES, tempDir, writeZip, entriesOf } from './lint-fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('verify')));
afterEach(async () => cleanup());


describe('verifyArchive', () => {
  it('hashes a .tar.gz in one pass, large entries included, and finds a changed one', async () => {
    // Random bytes: over the 1 MiB kept from the listing pass, and incompressible (the ratio limit stays out of it).
    const big = (): Buffer => randomBytes(3 * 1024 * 1024);
    const built = await buildNodeArchive(dir, { extra: { 'a.bin': big(), 'b.bin': big() } }, { archiveFormat: 'tgz' });
    const report = await verifyArchive(built.outputPath);
    expect(report).toMatchObject({ ok: true, integrity: 'ok', modified: [] });
    expect(report.checked).toBe(built.entries.length);
    const archive = await openArchive(built.outputPath);
    const files = [];
    for (const entry of archive.entries) {
      if (entry.type !== 'file') continue;
      const data = entry.path === 'b.bin' ? big() : await archive.readEntry(entry.path);
      files.push({ name: `${archive.root ?? 'tiny'}/${entry.path}`, data });
    }
    await archive.close();
    await writeFile(join(dir, 'tampered.tar.gz'), buildTgz(files));
    const tampered = await verifyArchive(join(dir, 'tampered.tar.gz'));
    expect(tampered).toMatchObject({ ok: false, integrity: 'mismatch', failures: ['INTEGRITY_MISMATCH'] });
    expect(tampered.modified.map((m) => [m.path, m.reason])).toEqual([['b.bin', 'digest']]);
  });

  it('accepts a freshly built archive and hashes every entry', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13, extra: { 'labels.txt': 'a\nb\n' } });
    const report = await verifyArchive(built.outputPath);
    expect(report).toMatchObject({ ok: true, integrity: 'ok', modified: [], missing: [], extra: [], signature: 'absent', failures: [] });
    expect(report.checked).toBe(built.entries.length);
    expect(verificationError(report)).toBeUndefined();
  });

  it.each(REFERENCE_ARCHIVES)('says plainly that reference archive %s has no record, and passes it only when allowed', async (name) => {
    const report = await verifyArchive(join(REFERENCE, name), { allowUnverified: true });
    expect(report).toMatchObject({ ok: true, integrity: 'missing', checked: 0 });
    expect(report.notes.length).toBeGreaterThan(0);
    const strict = await verifyArchive(join(REFERENCE, name), { requireIntegrity: true });
    expect(strict.failures).toEqual(['INTEGRITY_MISSING']);
    expect(verificationError(strict)?.code).toBe('INTEGRITY_MISSING');
    const byDefault = await verifyArchive(join(REFERENCE, name));
    expect(byDefault).toMatchObject({ ok: false, integrity: 'missing', failures: ['INTEGRITY_MISSING'] });
  });

  it('fails when any byte of any entry changes, even with a correct CRC', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13, extra: { 'labels.txt': 'cat\ndog\n' } });
    const entries = await entriesOf(built.outputPath);
    expect(entries.map((e) => e.name)).toContain('MAR-INF/integrity.json');
    let checkedCases = 0;
    for (const [index, entry] of entries.entries()) {
      const bytes = Buffer.from(entry.data);
      for (const position of new Set([0, Math.floor(bytes.length / 2), bytes.length - 1])) {
        const flipped = Buffer.from(bytes);
        flipped[position] = (flipped[position] ?? 0) ^ 0x01;
        const copy = entries.map((e, i) => (i === index ? { ...e, data: flipped } : e));
        const path = await writeZip(join(dir, `flip-${index}-${position}.mar`), copy);
        const report = await verifyArchive(path);
        expect(report.ok, `${entry.name} byte ${position}`).toBe(false);
        expect(report.integrity).toBe('mismatch');
        if (entry.name !== 'MAR-INF/integrity.json') {
          expect(report.modified).toEqual([expect.objectContaining({ path: entry.name, reason: 'digest' })]);
        }
        expect(verificationError(report)?.code).toBe('INTEGRITY_MISMATCH');
        checkedCases += 1;
      }
    }
    expect(checkedCases).toBeGreaterThanOrEqual(entries.length);
  });

  it('fails when any byte of a file of a folder archive changes', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13 }, { archiveFormat: 'no-archive' });
    for (const entry of built.entries) {
      const copy = join(dir, `copy-${entry.path.replaceAll('/', '_')}`);
      await cp(built.outputPath, copy, { recursive: true });
      const file = join(copy, entry.path);
      const bytes = await readFile(file);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x80;
      await writeFile(file, bytes);
      const report = await verifyArchive(copy);
      expect(report.modified.map((m) => m.path), entry.path).toEqual([entry.path]);
      expect(report.ok).toBe(false);
    }
  });

  it('signs a folder archive in place and verifies the signature', async () => {
    const built = await buildNodeArchive(dir, {}, { archiveFormat: 'no-archive' });
    const keys = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: keys.privateKeyPem });
    expect(await verifyArchive(built.outputPath, { publicKey: keys.publicKeyPem })).toMatchObject({ ok: true, signature: 'valid' });
  });

  it('reports missing, extra and resized entries', async () => {
    const built = await buildNodeArchive(dir, { extra: { 'a.txt': 'aaaa', 'b.txt': 'bbbb' } });
    const entries = await entriesOf(built.outputPath);
    const changed = entries
      .filter((e) => e.name !== 'a.txt')
      .map((e) => (e.name === 'b.txt' ? { ...e, data: 'bbbbb' } : e))
      .concat([{ name: 'smuggled.js', data: 'evil()' }]);
    const report = await verifyArchive(await writeZip(join(dir, 'changed.mar'), changed));
    expect(report.missing).toEqual(['a.txt']);
    expect(report.extra).toEqual(['smuggled.js']);
    expect(report.modified).toEqual([expect.objectContaining({ path: 'b.txt', reason: 'size' })]);
  });

  it('stops with ABORTED when cancelled', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13 });
    const controller = new AbortController();
    controller.abort();
    await expect(verifyArchive(built.outputPath, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('treats a malformed record as a mismatch', async () => {
    const built = await buildNodeArchive(dir);
    const entries = (await entriesOf(built.outputPath)).map((e) => (e.name === 'MAR-INF/integrity.json' ? { ...e, data: '{"integrityVersion":1}' } : e));
    const report = await verifyArchive(await writeZip(join(dir, 'bad-record.mar'), entries));
    expect(report).toMatchObject({ ok: false, integrity: 'mismatch' });
  });
});

describe('verifyArchive with signatures', () => {
  it('accepts the signer key and refuses a signature by another key', async () => {
    const built = await buildNodeArchive(dir, { onnxOpset: 13 });
    const signer = generateSigningKeys();
    const other = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: signer.privateKeyPem });
    const good = await verifyArchive(built.outputPath, { publicKey: signer.publicKeyPem, requireSignature: true });
    expect(good).toMatchObject({ ok: true, integrity: 'ok', signature: 'valid', keyId: signer.keyId });
    const wrong = await verifyArchive(built.outputPath, { publicKey: other.publicKeyPem });
    expect(wrong).toMatchObject({ ok: false, signature: 'invalid' });
    expect(verificationError(wrong)?.code).toBe('SIGNATURE_INVALID');
    const untrusted = await verifyArchive(built.outputPath);
    expect(untrusted).toMatchObject({ ok: true, signature: 'not-checked', keyId: signer.keyId });
  });

  it('refuses an archive re-recorded after tampering, even without a trusted key', async () => {
    const built = await buildNodeArchive(dir, { extra: { 'a.txt': 'original' } });
    const signer = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: signer.privateKeyPem });
    const entries = await entriesOf(built.outputPath);
    const record = JSON.parse(Buffer.from(entries.find((e) => e.name === 'MAR-INF/integrity.json')!.data).toString('utf8')) as {
      files: Array<{ path: string; size: number; sha256: string }>;
    };
    const { createHash } = await import('node:crypto');
    const forged = Buffer.from('tampered');
    for (const f of record.files) if (f.path === 'a.txt') Object.assign(f, { size: forged.length, sha256: createHash('sha256').update(forged).digest('hex') });
    const rewritten = entries.map((e) =>
      e.name === 'a.txt' ? { ...e, data: forged } : e.name === 'MAR-INF/integrity.json' ? { ...e, data: `${JSON.stringify(record, null, 2)}\n` } : e,
    );
    const path = await writeZip(join(dir, 'forged.mar'), rewritten);
    const report = await verifyArchive(path);
    expect(report.integrity).toBe('ok');
    expect(report).toMatchObject({ ok: false, signature: 'invalid' });
    expect((await verifyArchive(path, { publicKey: signer.publicKeyPem })).signature).toBe('invalid');
  });

  it('fails with SIGNATURE_MISSING when a signature is required but absent', async () => {
    const built = await buildNodeArchive(dir);
    const report = await verifyArchive(built.outputPath, { publicKey: generateSigningKeys().publicKeyPem, requireSignature: true });
    expect(report.failures).toEqual(['SIGNATURE_MISSING']);
    expect(verificationError(report)?.code).toBe('SIGNATURE_MISSING');
  });

  it('refuses a public key of the wrong kind with KEY_INVALID', async () => {
    const built = await buildNodeArchive(dir);
    const keys = generateSigningKeys();
    await signArchive(built.outputPath, { privateKey: keys.privateKeyPem });
    await expect(verifyArchive(built.outputPath, { publicKey: keys.privateKeyPem })).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });
});
