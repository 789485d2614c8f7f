import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { buildArchive, generateSigningKeys } from '@model-archiver/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

const REFERENCE = join(REPO_ROOT, 'fixtures/reference-fixture/cases');

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('verify')));
afterEach(async () => cleanup());

async function build(): Promise<string> {
  await writeFile(join(dir, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
  await writeFile(join(dir, 'weights.bin'), Buffer.alloc(4096, 7));
  const result = await buildArchive({ modelName: 'm', version: '1.0', handler: 'handler.mjs', extraFiles: ['weights.bin'], flavour: 'node', cwd: dir, exportPath: join(dir, 'out') });
  return result.outputPath;
}

describe('model-archiver verify', () => {
  it('exits 0 for an intact archive and 1 with INTEGRITY_MISMATCH after a stored byte changes', async () => {
    const archive = await build();
    const ok = await runCli(['verify', archive, '--json'], dir);
    expect(ok.exitCode).toBe(0);
    expect(jsonOf(ok)).toMatchObject({ ok: true, integrity: 'ok' });
    const bytes = await readFile(archive);
    const at = bytes.indexOf(Buffer.alloc(64, 7));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10] = 8;
    await writeFile(archive, bytes);
    const bad = await runCli(['verify', archive], dir);
    expect(bad.exitCode).toBe(1);
    const json = jsonOf(await runCli(['verify', archive, '--json'], dir)) as { error?: { code: string }; ok: boolean };
    expect(json.ok).toBe(false);
    expect(json.error?.code).toBe('INTEGRITY_MISMATCH');
  });

  it('says plainly that a reference archive has no record: exit 0 with --allow-unverified, else 1', async () => {
    const path = join(REFERENCE, 'ts_default/mymodel.mar');
    const byDefault = await runCli(['verify', path, '--json'], dir);
    expect(byDefault.exitCode).toBe(1);
    expect((jsonOf(byDefault) as { error?: { code: string } }).error?.code).toBe('INTEGRITY_MISSING');
    const plain = await runCli(['verify', path, '--allow-unverified'], dir);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain('no integrity record');
    const strict = await runCli(['verify', path, '--strict', '--json'], dir);
    expect(strict.exitCode).toBe(1);
    expect((jsonOf(strict) as { error?: { code: string } }).error?.code).toBe('INTEGRITY_MISSING');
  });

  it('checks a signature made with an openssl key: the signer key passes, another key fails', async () => {
    const archive = await build();
    const key = join(dir, 'signer.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', join(dir, 'signer.pub.pem')]);
    await writeFile(join(dir, 'other.pub.pem'), generateSigningKeys().publicKeyPem);
    const signed = await runCli(['sign', archive, '--key', key], dir);
    expect(signed.exitCode).toBe(0);
    const good = await runCli(['verify', archive, '--public-key', 'signer.pub.pem', '--require-signature', '--json'], dir);
    expect(good.exitCode).toBe(0);
    expect(jsonOf(good)).toMatchObject({ signature: 'valid' });
    const other = await runCli(['verify', archive, '--public-key', 'other.pub.pem', '--json'], dir);
    expect(other.exitCode).toBe(1);
    expect((jsonOf(other) as { error?: { code: string } }).error?.code).toBe('SIGNATURE_INVALID');
  });

  it('requires a signature only when asked, and needs the key for it', async () => {
    const archive = await build();
    await writeFile(join(dir, 'k.pub.pem'), generateSigningKeys().publicKeyPem);
    const missing = await runCli(['verify', archive, '--public-key', 'k.pub.pem', '--require-signature', '--json'], dir);
    expect(missing.exitCode).toBe(1);
    expect((jsonOf(missing) as { error?: { code: string } }).error?.code).toBe('SIGNATURE_MISSING');
    expect((await runCli(['verify', archive, '--require-signature'], dir)).exitCode).toBe(2);
  });

  it('requires a signature whenever a trusted key is given, unless --allow-unverified', async () => {
    const archive = await build();
    await writeFile(join(dir, 'k.pub.pem'), generateSigningKeys().publicKeyPem);
    const unsigned = await runCli(['verify', archive, '--public-key', 'k.pub.pem', '--json'], dir);
    expect(unsigned.exitCode).toBe(1);
    expect((jsonOf(unsigned) as { error?: { code: string } }).error?.code).toBe('SIGNATURE_MISSING');
    const allowed = await runCli(['verify', archive, '--public-key', 'k.pub.pem', '--allow-unverified', '--json'], dir);
    expect(allowed.exitCode).toBe(0);
    expect(jsonOf(allowed)).toMatchObject({ integrity: 'ok', signature: 'absent' });
    expect((await runCli(['verify', archive, '--strict', '--allow-unverified'], dir)).exitCode).toBe(2);
  });

  it('exits 4 for an archive that does not exist and 3 for an unreadable key file', async () => {
    expect((await runCli(['verify', join(dir, 'nope.mar')], dir)).exitCode).toBe(4);
    const archive = await build();
    expect((await runCli(['verify', archive, '--public-key', 'missing.pem'], dir)).exitCode).toBe(3);
  });
});
