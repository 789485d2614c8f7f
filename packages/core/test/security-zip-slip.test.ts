import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostileCases } from '../../../fixtures/hostile/cases.mjs';
import { runHostileCase } from '../../../fixtures/hostile/run-case.mjs';

// Zip slip: absolute, traversal, drive, backslash, control-character and over-long entry names
const CODES = new Set(['ENTRY_PATH_TRAVERSAL', 'ENTRY_ABSOLUTE_PATH', 'ENTRY_DRIVE_PATH', 'ENTRY_BACKSLASH_PATH', 'ENTRY_NUL_BYTE', 'LIMIT_PATH_LENGTH']);
const cases = hostileCases().filter((c) => CODES.has(c.code));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-security-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Zip slip: absolute, traversal, drive, backslash, control-character and over-long entry names', () => {
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
