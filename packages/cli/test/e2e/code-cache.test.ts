/**
 * The bundle's main.cjs and its V8 code cache (src/load-main.ts, written by scripts/bundle-cli.mjs): the cache is
 * one this Node accepts, and a cache V8 rejects (stale, or not a cache at all) still gives a working `main()`.
 * Each check runs in a plain `node` process: V8 accepts a cache only under the flags it was made with.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from './cli-harness.js';

const LOAD_MAIN = pathToFileURL(join(REPO_ROOT, 'packages/cli/dist/load-main.js')).href;
const MAIN_CJS = join(REPO_ROOT, 'packages/cli/dist/bundle/main.cjs');

/** Compiles main.cjs with the given cache in a fresh process, runs `main(['--tool-version'])`, reports both. */
function compileAndRun(cacheExpression: string): Promise<{ rejected: boolean; exitCode: number; stdout: string }> {
  const script = `
    const { compileMainScript, runMainScript } = await import(${JSON.stringify(LOAD_MAIN)});
    const { readFileSync } = await import('node:fs');
    const file = ${JSON.stringify(MAIN_CJS)};
    const compiled = compileMainScript(file, readFileSync(file, 'utf8'), ${cacheExpression});
    let stdout = '';
    const sink = { write: (text) => { stdout += text; return true; } };
    const io = { stdout: sink, stderr: sink, cwd: process.cwd(), env: {}, signal: new AbortController().signal };
    const exitCode = await runMainScript(compiled, file)(['--tool-version'], io);
    process.stdout.write(JSON.stringify({ rejected: compiled.cachedDataRejected, exitCode, stdout }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as { rejected: boolean; exitCode: number; stdout: string });
    });
  });
}

describe('main.cjs and its code cache', () => {
  it('is compiled with the cache the build wrote, which this Node accepts', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const run = await compileAndRun(`readFileSync(file + '.cache')`);
    expect(run).toEqual({ rejected: false, exitCode: 0, stdout: `${version}\n` });
  });

  it('still runs when V8 rejects the cache', async () => {
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    for (const cache of [`Buffer.from('not a code cache')`, `readFileSync(file + '.cache').subarray(0, 4096)`]) {
      expect(await compileAndRun(cache)).toEqual({ rejected: true, exitCode: 0, stdout: `${version}\n` });
    }
  });
});
