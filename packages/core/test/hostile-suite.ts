import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as core from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hostileCases } from '../../../fixtures/hostile/cases.mjs';
import { runHostileCase } from '../../../fixtures/hostile/run-case.mjs';

/**
 * Runs every hostile archive of `fixtures/hostile` whose expected code is in `codes`: each must be refused with that
 * code, at its stage (open / read / manifest / extract), writing nothing beside the target and leaving no temp folder.
 */
export function describeHostileCases(title: string, codes: readonly string[]): void {
  const wanted = new Set(codes);
  const cases = hostileCases().filter((c) => wanted.has(c.code));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ma-security-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe(title, () => {
    it('has at least one hostile case per code', () => {
      expect(new Set(cases.map((c) => c.code))).toEqual(wanted);
    });

    it.each(cases.map((c) => [c.name, c] as const))('refuses %s with its code, at the right stage, writing nothing', async (_name, hostile) => {
      const outcome = await runHostileCase(core, hostile, dir);
      expect({ code: outcome.code, stage: outcome.stage }).toEqual({ code: hostile.code, stage: hostile.stage });
      expect(outcome.outside).toEqual([]);
      expect(outcome.left).toEqual([]);
    });
  });
}
