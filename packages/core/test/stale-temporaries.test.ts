import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { prepareOutput } from '../src/fs/atomic-output.js';
import { processAlive, removeStaleTemporaries } from '../src/fs/stale-temporaries.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stale-temporaries-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (a child that ran and was reaped). */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
};

describe('temporary outputs left by dead processes', () => {
  it('tells a live process from a dead one', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(deadPid())).toBe(false);
  });

  it('removes the leftovers of dead processes next to the target and keeps those of live ones', async () => {
    const target = join(dir, 'm.mar');
    const dead = deadPid();
    const stale = [`m.mar.model-archiver-tmp-${dead}-0123abcd`, `m.mar.model-archiver-old-${dead}-89abcdef`];
    const kept = [
      `m.mar.model-archiver-tmp-${process.pid}-0123abcd`, // a run in progress
      `other.mar.model-archiver-tmp-${dead}-0123abcd`, // another target's
      `m.mar.model-archiver-tmp-${dead}-0123abcd.keep`, // not our exact pattern
      `m.mar.tmp-${dead}-0123abcd`, // not our mark
      'm.mar',
    ];
    for (const name of [...stale, ...kept]) await writeFile(join(dir, name), 'x');
    await mkdir(join(dir, `m.mar.model-archiver-tmp-${dead}-fedcba98`)); // a folder output's leftover
    await writeFile(join(dir, `m.mar.model-archiver-tmp-${dead}-fedcba98`, 'f'), 'x');
    const removed = await removeStaleTemporaries(target);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([...stale, `m.mar.model-archiver-tmp-${dead}-fedcba98`].sort());
    expect((await readdir(dir)).sort()).toEqual([...kept].sort());
  });

  it('cleans before a write starts (prepareOutput), whatever the target', async () => {
    const target = join(dir, 'out', 'm.mar');
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', `m.mar.model-archiver-tmp-${deadPid()}-0123abcd`), 'partial');
    const { temporary } = await prepareOutput(target, false);
    expect(await readdir(join(dir, 'out'))).toEqual([]);
    expect(temporary.startsWith(`${target}.model-archiver-tmp-${process.pid}-`)).toBe(true);
  });
});
