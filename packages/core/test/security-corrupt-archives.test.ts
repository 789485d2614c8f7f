import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostileCases } from '../../../fixtures/hostile/cases.mjs';
import { runHostileCase } from '../../../fixtures/hostile/run-case.mjs';

// Damaged and unsupported archives: truncation, CRC, corruption, encryption, methods, multi-disk
const CODES = new Set(['ARCHIVE_TRUNCATED', 'ARCHIVE_CORRUPT', 'ENTRY_CRC_MISMATCH', 'ENTRY_ENCRYPTED', 'ENTRY_UNSUPPORTED_METHOD', 'ARCHIVE_MULTI_DISK', 'ARCHIVE_FORMAT_UNKNOWN', 'MANIFEST_MISSING', 'MANIFEST_INVALID']);
const cases = hostileCases().filter((c) => CODES.has(c.code));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-security-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Damaged and unsupported archives: truncation, CRC, corruption, encryption, methods, multi-disk', () => {
  it('has at least one hostile case per code', () => {
    expect(new Set(cases.map((c) => c.code))).toEqual(CODES);
  });

  it.each(cases.map((c) => [c.name, c] as const))('refuses %s with its code, at the right stage, writing nothing', async (_name, hostile) => {
    const outcome = await runHostileCase(core, hostile, dir);
    expect({ code: outcome.code, stage: outcome.stage }).toEqual({ code: hostile.code, stage: hostile.stage });
    expect(outcome.outside).toEqual([]);
    expect(outcome.left).toEqual([]);
  });
});
