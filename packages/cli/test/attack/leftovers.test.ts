import { spawn, spawnSync } from 'node:child_process';
import { mkdir, open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BIN } from '../e2e/cli-harness.js';
import { runIn, workDir } from './attack-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await workDir('leftovers')));
afterEach(async () => cleanup());

const CREATE = ['--model-name', 'm', '--handler', 'handler.mjs', '--serialized-file', 'weights.bin', '-v', '1.0', '--flavour', 'node', '--export-path', 'out', '--quiet'];

/** A source folder with a handler and a sparse `weights.bin` of `mib` MiB (stored: the copy takes a moment). */
async function source(mib: number): Promise<void> {
  await writeFile(join(dir, 'handler.mjs'), 'export const handle = (b) => b;\n');
  const weights = await open(join(dir, 'weights.bin'), 'w');
  await weights.truncate(mib * 1024 * 1024);
  await weights.close();
}

const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('temporary outputs of killed runs', () => {
  it('removes the leftover of a dead process next to the target, keeps a live one, and writes the target whole', async () => {
    await source(1);
    await mkdir(join(dir, 'out'));
    const dead = `m.mar.model-archiver-tmp-${deadPid()}-0123abcd`;
    const live = `m.mar.model-archiver-tmp-${process.pid}-89abcdef`;
    await writeFile(join(dir, 'out', dead), 'partial');
    await writeFile(join(dir, 'out', live), 'in progress');
    const run = await runIn(dir, CREATE);
    expect(run.exitCode).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([live, 'm.mar'].sort());
    expect((await runIn(dir, ['verify', 'out/m.mar', '--json'])).exitCode).toBe(0);
  });

  it('never leaves a partial target after kill -9, and the next create removes what the killed run left', async () => {
    await source(256);
    const child = spawn(process.execPath, [BIN, ...CREATE], { cwd: dir, stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const after = await readdir(join(dir, 'out')).catch(() => [] as string[]);
    if (after.includes('m.mar')) expect((await runIn(dir, ['verify', 'out/m.mar', '--json'])).exitCode).toBe(0);
    const again = await runIn(dir, [...CREATE, '--force']);
    expect(again.exitCode).toBe(0);
    expect(await readdir(join(dir, 'out'))).toEqual(['m.mar']);
  });
});
