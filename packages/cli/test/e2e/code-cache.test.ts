/**
 * The bundle's CommonJS scripts and their V8 code caches (src/load-bundled.ts, written by scripts/bundle-cli.mjs):
 * main.cjs (main()) and direct.cjs (the direct path of inspect, verify and lint). Each cache is one this Node accepts,
 * and a cache V8 rejects (stale, or not a cache at all) still gives a working script. Each check runs in a plain
 * `node` process: V8 accepts a cache only under the flags it was made with.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from './cli-harness.js';

const LOAD_BUNDLED = pathToFileURL(join(REPO_ROOT, 'packages/cli/dist/load-bundled.js')).href;
const BUNDLE = join(REPO_ROOT, 'packages/cli/dist/bundle');

interface CompiledRun {
  rejected: boolean;
  exitCode: number;
  stdout: string;
}

/**
 * Compiles a bundled script with the given cache in a fresh process, runs its export with `args` (in the bundle
 * folder), reports both.
 */
function compileAndRun(script: 'main.cjs' | 'direct.cjs', name: 'main' | 'runDirect', args: string[], cacheExpression: string): Promise<CompiledRun> {
  const source = `
    const { compileBundledScript, runBundledScript } = await import(${JSON.stringify(LOAD_BUNDLED)});
    const { readFileSync } = await import('node:fs');
    const file = ${JSON.stringify(join(BUNDLE, script))};
    const compiled = compileBundledScript(file, readFileSync(file, 'utf8'), ${cacheExpression});
    let stdout = '';
    const sink = { write: (text) => { stdout += text; return true; } };
    const io = { stdout: sink, stderr: sink, cwd: process.cwd(), env: {}, signal: new AbortController().signal };
    const exitCode = await runBundledScript(compiled, file, ${JSON.stringify(name)})(${JSON.stringify(args)}, io);
    process.stdout.write(JSON.stringify({ rejected: compiled.cachedDataRejected, exitCode, stdout }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], { cwd: BUNDLE }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as CompiledRun);
    });
  });
}

const version = async (): Promise<string> =>
  (JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
const STALE_CACHES = [`Buffer.from('not a code cache')`, `readFileSync(file + '.cache').subarray(0, 4096)`];

describe('main.cjs and its code cache', () => {
  it('is compiled with the cache the build wrote, which this Node accepts', async () => {
    const run = await compileAndRun('main.cjs', 'main', ['--tool-version'], `readFileSync(file + '.cache')`);
    expect(run).toEqual({ rejected: false, exitCode: 0, stdout: `${await version()}\n` });
  });

  it('still runs when V8 rejects the cache', async () => {
    for (const cache of STALE_CACHES) {
      expect(await compileAndRun('main.cjs', 'main', ['--tool-version'], cache)).toEqual({ rejected: true, exitCode: 0, stdout: `${await version()}\n` });
    }
  });
});

describe('direct.cjs and its code cache', () => {
  // The bundle folder holds no archive: inspect answers ARCHIVE_NOT_FOUND (exit 4) as a JSON document.
  const args = ['inspect', 'missing-archive.mar', '--json'];
  const notFound = (run: CompiledRun): unknown => ({ ...run, stdout: (JSON.parse(run.stdout) as { error: { code: string } }).error.code });

  it('is compiled with the cache the build wrote, which this Node accepts', async () => {
    const run = await compileAndRun('direct.cjs', 'runDirect', args, `readFileSync(file + '.cache')`);
    expect(notFound(run)).toEqual({ rejected: false, exitCode: 4, stdout: 'ARCHIVE_NOT_FOUND' });
  });

  it('still runs when V8 rejects the cache', async () => {
    for (const cache of STALE_CACHES) {
      expect(notFound(await compileAndRun('direct.cjs', 'runDirect', args, cache))).toEqual({ rejected: true, exitCode: 4, stdout: 'ARCHIVE_NOT_FOUND' });
    }
  });

  it('leaves a command line it does not take to main() (undefined), having printed nothing', async () => {
    const run = await compileAndRun('direct.cjs', 'runDirect', ['inspect', 'missing-archive.mar', '--jsno', 'x'], `readFileSync(file + '.cache')`);
    // No exitCode in the JSON: runDirect returned undefined.
    expect(run).toEqual({ rejected: false, stdout: '' });
  });
});
