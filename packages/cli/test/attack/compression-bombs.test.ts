import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildTgz } from '../../../../fixtures/hostile/tar-builder.mjs';
import { buildZip, validManifest } from '../../../../fixtures/hostile/zip-builder.mjs';
import { runIn, workDir, zeroTgz, zeroZip } from './attack-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await workDir('bombs')));
afterEach(async () => cleanup());

describe('compression bombs and entry floods', () => {
  // Before issue 11 a 1 GiB zero .tar.gz kept inspect and extract busy for over 15 minutes; a hang fails here (20 s).
  it.each(['inspect', 'extract', 'verify'])('refuses a 1 GiB zero-filled .tar.gz on %s with LIMIT_COMPRESSION_RATIO, writing nothing', async (command) => {
    await writeFile(join(dir, 'bomb.tar.gz'), zeroTgz(1024));
    const args = command === 'extract' ? ['extract', 'bomb.tar.gz', 'out', '--json'] : [command, 'bomb.tar.gz', '--json'];
    const run = await runIn(dir, args);
    expect({ exitCode: run.exitCode, code: run.code, outside: run.outside }).toEqual({ exitCode: 7, code: 'LIMIT_COMPRESSION_RATIO', outside: [] });
  });

  it.each(['inspect', 'extract'])('refuses a zip whose entry inflates to 64 MiB of zeros on %s, writing nothing', async (command) => {
    await writeFile(join(dir, 'bomb.mar'), zeroZip(64, validManifest()));
    const args = command === 'extract' ? ['extract', 'bomb.mar', 'out', '--json'] : [command, 'bomb.mar', '--json'];
    const run = await runIn(dir, args);
    expect({ exitCode: run.exitCode, code: run.code, outside: run.outside }).toEqual({ exitCode: 7, code: 'LIMIT_COMPRESSION_RATIO', outside: [] });
  });

  // Each entry is 1 MiB of zeros, under the per-entry exemption; together they are 64 MiB in about 70 KiB.
  it('refuses a zip of many entries each under the ratio exemption that add up to a bomb, writing nothing', async () => {
    const mib = Buffer.alloc(1024 * 1024);
    const files = Array.from({ length: 64 }, (_, i) => ({ name: `z/${i}.bin`, data: mib }));
    await writeFile(join(dir, 'spread.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: validManifest() }, ...files]));
    const run = await runIn(dir, ['extract', 'spread.mar', 'out', '--json']);
    expect({ exitCode: run.exitCode, code: run.code, outside: run.outside }).toEqual({ exitCode: 7, code: 'LIMIT_COMPRESSION_RATIO', outside: [] });
  });

  it('refuses a zip and a .tar.gz with more entries than --max-entries, writing nothing', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({ name: `m/f${i}.txt`, data: 'x' }));
    await writeFile(join(dir, 'many.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: validManifest() }, ...files]));
    await writeFile(join(dir, 'many.tar.gz'), buildTgz([...files, { name: 'm/MAR-INF/MANIFEST.json', data: validManifest() }]));
    for (const archive of ['many.mar', 'many.tar.gz']) {
      const run = await runIn(dir, ['extract', archive, 'out', '--max-entries', '100', '--json']);
      expect({ archive, exitCode: run.exitCode, code: run.code, outside: run.outside }).toEqual({ archive, exitCode: 7, code: 'LIMIT_ENTRY_COUNT', outside: [] });
    }
  });
});
