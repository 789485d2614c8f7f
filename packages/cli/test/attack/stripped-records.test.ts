import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildZip } from '../../../../fixtures/hostile/zip-builder.mjs';
import { ourArchive, runIn, stripEntries, workDir } from './attack-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await workDir('tamper')));
afterEach(async () => cleanup());

describe('tampered archives: stripped records and broken manifests', () => {
  it('fails verify and predict on an archive whose integrity record was stripped (INTEGRITY_MISSING)', async () => {
    const archive = await ourArchive(dir);
    await writeFile(join(dir, 'stripped.mar'), await stripEntries(archive, ['MAR-INF/integrity.json']));
    const verify = await runIn(dir, ['verify', 'stripped.mar', '--json']);
    expect({ exitCode: verify.exitCode, code: verify.code, outside: verify.outside }).toEqual({ exitCode: 1, code: 'INTEGRITY_MISSING', outside: [] });
    const cache = join(dir, 'cache');
    const predict = await runIn(dir, ['predict', 'stripped.mar', '{"x":1}', '--cache-dir', cache, '--json'], ['cache']);
    expect({ exitCode: predict.exitCode, code: predict.code, outside: predict.outside }).toEqual({ exitCode: 1, code: 'INTEGRITY_MISSING', outside: [] });
    const allowed = await runIn(dir, ['verify', 'stripped.mar', '--allow-unverified', '--json']);
    expect(allowed.exitCode).toBe(0);
  });

  it('fails verify with a trusted key on an archive whose signature was stripped (SIGNATURE_MISSING)', async () => {
    const archive = await ourArchive(dir);
    const keys = core.generateSigningKeys();
    await core.signArchive(archive, { privateKey: keys.privateKeyPem });
    await writeFile(join(dir, 'signer.pub.pem'), keys.publicKeyPem);
    const signed = await runIn(dir, ['verify', archive, '--public-key', 'signer.pub.pem', '--json']);
    expect(signed.exitCode).toBe(0);
    await writeFile(join(dir, 'unsigned.mar'), await stripEntries(archive, ['MAR-INF/signature.json']));
    const run = await runIn(dir, ['verify', 'unsigned.mar', '--public-key', 'signer.pub.pem', '--json']);
    expect({ exitCode: run.exitCode, code: run.code, outside: run.outside }).toEqual({ exitCode: 1, code: 'SIGNATURE_MISSING', outside: [] });
  });

  it('refuses an archive whose manifest is not JSON on extract (nothing written), inspect and verify', async () => {
    await writeFile(join(dir, 'bad.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: '{"model": ' }, { name: 'handler.py', data: 'import os\n' }]));
    const extract = await runIn(dir, ['extract', 'bad.mar', 'out', '--json'], ['out']);
    expect({ exitCode: extract.exitCode, code: extract.code, outside: extract.outside }).toEqual({ exitCode: 3, code: 'MANIFEST_INVALID', outside: [] });
    const inspect = await runIn(dir, ['inspect', 'bad.mar', '--json']);
    expect(inspect.exitCode).toBe(3);
    const verify = await runIn(dir, ['verify', 'bad.mar', '--allow-unverified', '--json']);
    expect({ exitCode: verify.exitCode, code: verify.code }).toEqual({ exitCode: 3, code: 'MANIFEST_INVALID' });
  });
});
