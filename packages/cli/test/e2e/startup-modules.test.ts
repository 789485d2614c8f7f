import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIST_BIN as BIN, REPO_ROOT, runCli, tempDir } from './cli-harness.js';
import type { CliRun } from './cli-harness.js';

// What a fresh `model-archiver` process loads: every run imports every command module to declare its flags, so a
// value import of core's main entry point anywhere in them would load zod for every command.
const TRACE = join(REPO_ROOT, 'fixtures/module-trace/register.mjs');
const ZOD = /\/node_modules\/zod\//;
const CORE_MAIN = /\/core\/dist\/index\.js$/;
const YARGS = /\/node_modules\/yargs\//;

interface TracedRun extends CliRun {
  /** URLs of the modules the process loaded, in load order. */
  modules: string[];
}

/** Runs the built binary under the module-trace hook; the trace lines are taken out of stderr. */
function runTraced(args: readonly string[], cwd: string): Promise<TracedRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TRACE, BIN, ...args],
      { cwd, env: { ...process.env, MODEL_ARCHIVER_DEBUG: '' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        const lines = stderr.split('\n');
        const traced = (line: string): boolean => line.startsWith('module-trace ');
        resolve({
          exitCode,
          stdout,
          stderr: lines.filter((line) => !traced(line)).join('\n'),
          modules: lines.filter(traced).map((line) => line.slice('module-trace '.length)),
        });
      },
    );
  });
}

const loads = (run: TracedRun, pattern: RegExp): boolean => run.modules.some((url) => pattern.test(url));

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('startup'));
  await writeFile(join(dir, 'svc.mjs'), 'export const handle = (batch) => batch.map((r) => ({ length: r.body.length }));\n');
  await writeFile(join(dir, 'in.txt'), 'hello');
  const create = await runCli(
    ['create', '--model-name', 'echo', '--version', '1.0', '--flavour', 'node', '--handler', 'svc.mjs:handle', '--extra-files', 'svc.mjs'],
    dir,
  );
  expect(create.exitCode, create.stderr).toBe(0);
});
afterAll(async () => {
  await cleanup();
});

describe('modules a fresh model-archiver process loads', () => {
  it('prints the tool version without loading zod or the main entry point of core', async () => {
    const run = await runTraced(['--tool-version'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(run.stdout.trim()).toBe(version);
    // The hook saw the binary itself, so an empty list cannot pass for a clean one.
    expect(run.modules).toContain(pathToFileURL(BIN).href);
    expect(loads(run, ZOD)).toBe(false);
    expect(loads(run, CORE_MAIN)).toBe(false);
  });

  it('prints the help, listing every command, without loading zod or the main entry point of core', async () => {
    const run = await runTraced(['--help'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const command of ['create', 'inspect', 'verify', 'sign', 'lint', 'extract', 'predict']) expect(run.stdout).toContain(command);
    expect(loads(run, ZOD)).toBe(false);
    expect(loads(run, CORE_MAIN)).toBe(false);
  });

  it('predicts with an archive already in the cache without loading zod or the main entry point of core', async () => {
    const args = ['predict', 'echo.mar', 'in.txt', '--cache-dir', join(dir, 'cache'), '--json'];
    const first = await runTraced(args, dir);
    expect(first.exitCode, first.stderr).toBe(0);
    // The archive is seconds old, so this is the cache hit that opens the archive (its fingerprint is not trusted
    // yet): the manifest comes from the cache index, validated when the copy was made.
    const second = await runTraced(args, dir);
    expect(second.exitCode, second.stderr).toBe(0);
    const results = (run: TracedRun): unknown =>
      (JSON.parse(run.stdout) as { results: { status: number; body: unknown }[] }).results.map(({ status, body }) => ({ status, body }));
    expect(results(second)).toEqual([{ status: 200, body: { length: 5 } }]);
    expect(results(second)).toEqual(results(first));
    expect(loads(second, /\/runtime\/dist\/index\.js$/)).toBe(true);
    expect(loads(second, ZOD)).toBe(false);
    expect(loads(second, CORE_MAIN)).toBe(false);
  });

  it('inspects, verifies and lints a valid archive without loading zod or yargs (the direct path)', async () => {
    for (const args of [['inspect', 'echo.mar', '--json'], ['verify', 'echo.mar'], ['lint', 'echo.mar']]) {
      const run = await runTraced(args, dir);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.modules).toContain(pathToFileURL(join(REPO_ROOT, 'packages/cli/dist/direct.js')).href);
      expect(loads(run, ZOD)).toBe(false);
      expect(loads(run, YARGS)).toBe(false);
      expect(loads(run, CORE_MAIN)).toBe(false);
    }
  });

  it('loads zod to explain an invalid manifest, when that command runs', async () => {
    await mkdir(join(dir, 'bad/MAR-INF'), { recursive: true });
    await writeFile(join(dir, 'bad/MAR-INF/MANIFEST.json'), JSON.stringify({ model: { modelName: 7 } }));
    const run = await runTraced(['inspect', 'bad', '--json'], dir);
    expect(run.exitCode).toBe(3);
    expect(loads(run, ZOD)).toBe(true);
  });
});
