import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostileCases } from '../../../fixtures/hostile/cases.mjs';
import { runHostileCase } from '../../../fixtures/hostile/run-case.mjs';

// Zip bombs: compression ratio, total size, entry count and sizes that lie
const CODES = new Set(['LIMIT_COMPRESSION_RATIO', 'LIMIT_TOTAL_SIZE', 'LIMIT_ENTRY_COUNT', 'ENTRY_SIZE_MISMATCH', 'ENTRY_OVERLAP']);
const cases = hostileCases().filter((c) => CODES.has(c.code));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-security-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Zip bombs: compression ratio, total size, entry count and sizes that lie', () => {
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
