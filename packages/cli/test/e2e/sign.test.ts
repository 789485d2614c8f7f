import { generateKeyPairSync } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { buildArchive, generateSigningKeys, verifyArchive } from '@model-archiver/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { errorCodeOf, jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('sign')));
afterEach(async () => cleanup());

async function build(archiveFormat: 'default' | 'tgz' = 'default'): Promise<string> {
  await writeFile(join(dir, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
  const result = await buildArchive({ modelName: 'm', version: '1.0', handler: 'handler.mjs', flavour: 'node', cwd: dir, exportPath: join(dir, 'out'), archiveFormat });
  return result.outputPath;
}

describe('model-archiver sign', () => {
  it.each(['default', 'tgz'] as const)('signs a %s archive in place and prints the key id', async (format) => {
    const archive = await build(format);
    const keys = generateSigningKeys();
    await writeFile(join(dir, 'k.pem'), keys.privateKeyPem);
    const run = await runCli(['sign', archive, '--key', 'k.pem', '--json'], dir);
    expect(run.exitCode).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, keyId: keys.keyId, replacedSignature: false });
    expect(await verifyArchive(archive, { publicKey: keys.publicKeyPem })).toMatchObject({ ok: true, signature: 'valid' });
    expect(await readdir(join(dir, 'out'))).toHaveLength(1);
  });

  it('refuses a reference archive (no integrity record) with exit 1 INTEGRITY_MISSING', async () => {
    await writeFile(join(dir, 'k.pem'), generateSigningKeys().privateKeyPem);
    const reference = join(REPO_ROOT, 'fixtures/reference-fixture/cases/ts_default/mymodel.mar');
    const run = await runCli(['sign', reference, '--key', 'k.pem', '--output', 'signed.mar', '--json'], dir);
    expect(run.exitCode).toBe(1);
    expect(errorCodeOf(run)).toBe('INTEGRITY_MISSING');
  });

  it('refuses a key of another type or a public key with exit 3 KEY_INVALID', async () => {
    const archive = await build();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await writeFile(join(dir, 'ec.pem'), ec);
    await writeFile(join(dir, 'pub.pem'), generateSigningKeys().publicKeyPem);
    for (const key of ['ec.pem', 'pub.pem', 'absent.pem']) {
      const run = await runCli(['sign', archive, '--key', key, '--json'], dir);
      expect(run.exitCode, key).toBe(3);
      expect(errorCodeOf(run)).toBe('KEY_INVALID');
    }
  });

  it('needs --key (usage error, exit 2)', async () => {
    const archive = await build();
    expect((await runCli(['sign', archive], dir)).exitCode).toBe(2);
  });
});
