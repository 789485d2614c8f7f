import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCase } from '../../../fixtures/hostile/run-case.mjs';
import { validTgz } from '../../../fixtures/hostile/tar-builder.mjs';
import { validManifest, validZip } from '../../../fixtures/hostile/zip-builder.mjs';

// Truncated archives: a download cut short, a disk full while copying. Every prefix must be refused with a code.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-truncation-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prefixes = (bytes: Buffer, step: number): number[] => {
  const cuts: number[] = [];
  for (let at = 4; at < bytes.length; at += step) cuts.push(at);
  return [...cuts, bytes.length - 1];
};

describe('truncated archives', () => {
  const zip = validZip();
  it.each(prefixes(zip, 97))('refuses a zip cut at byte %i with ARCHIVE_TRUNCATED', async (at) => {
    const path = join(dir, `z${at}.mar`);
    await writeFile(path, zip.subarray(0, at));
    const outcome = await runCase(core, path, join(dir, `z${at}.work`));
    expect({ code: outcome.code, stage: outcome.stage, outside: outcome.outside }).toEqual({ code: 'ARCHIVE_TRUNCATED', stage: 'open', outside: [] });
  });

  const tgz = validTgz(validManifest());
  it.each(prefixes(tgz, 23))('refuses a tar.gz cut at byte %i with ARCHIVE_TRUNCATED', async (at) => {
    const path = join(dir, `t${at}.tar.gz`);
    await writeFile(path, tgz.subarray(0, at));
    const outcome = await runCase(core, path, join(dir, `t${at}.work`));
    expect({ code: outcome.code, stage: outcome.stage, outside: outcome.outside }).toEqual({ code: 'ARCHIVE_TRUNCATED', stage: 'open', outside: [] });
  });

  it('reports a file too short to identify as ARCHIVE_FORMAT_UNKNOWN', async () => {
    const path = join(dir, 'short.mar');
    await writeFile(path, zip.subarray(0, 3));
    await expect(core.openArchive(path)).rejects.toMatchObject({ code: 'ARCHIVE_FORMAT_UNKNOWN' });
  });
});
