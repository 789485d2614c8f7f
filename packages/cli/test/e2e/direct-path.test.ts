/**
 * The direct path (src/direct.ts: inspect, verify and lint without yargs) against main(): the built binary prints the
 * same bytes and exits with the same code with it and without it (MODEL_ARCHIVER_DIRECT=0 sends every command line
 * to main()), on successes, failures the commands find, errors their handlers throw, command lines the direct path
 * leaves to yargs, and SIGINT/SIGTERM. Which path ran is read from what the process loaded.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readlinkSync, readdirSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { buildArchive, generateSigningKeys, signArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, DIST_BIN, REPO_ROOT, tempDir } from './cli-harness.js';
import type { CliRun } from './cli-harness.js';

const BUNDLE_TRACE = join(REPO_ROOT, 'fixtures/bundle-trace/register.cjs');
const MODULE_TRACE = join(REPO_ROOT, 'fixtures/module-trace/register.mjs');
const FORCE_MAIN = { MODEL_ARCHIVER_DIRECT: '0' };

interface TracedRun extends CliRun {
  /** The trace lines (bundle scripts read, or modules loaded), taken out of stderr. */
  trace: string[];
}

/** Runs `node [nodeArgs] bin ...args` in the test folder; trace lines (`<prefix> ...`) are taken out of stderr. */
function run(bin: string, args: readonly string[], env: Record<string, string> = {}, nodeArgs: string[] = [], prefix = 'bundle-trace '): Promise<TracedRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, bin, ...args],
      { cwd: dir, env: { ...process.env, MODEL_ARCHIVER_DEBUG: '', MODEL_ARCHIVER_DIRECT: '', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const lines = stderr.split('\n');
        resolve({
          exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr: lines.filter((line) => !line.startsWith(prefix)).join('\n'),
          trace: lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length)),
        });
      },
    );
  });
}

/** The bundled binary with the bundle trace: which of main.cjs and direct.cjs it read. */
const runBundled = (args: readonly string[], env: Record<string, string> = {}): Promise<TracedRun> => run(BIN, args, env, ['--require', BUNDLE_TRACE]);
/** The bundle's node:vm scripts (main.cjs, direct.cjs) a run read, in order. */
const scriptsRead = (traced: TracedRun): string[] =>
  traced.trace.map((path) => path.split(/[\\/]/).pop() ?? path).filter((name) => name === 'main.cjs' || name === 'direct.cjs');

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('direct-path'));
  await writeFile(join(dir, 'svc.mjs'), 'export const handle = (batch) => batch;\n');
  const build = (modelName: string): Promise<unknown> => buildArchive({ modelName, version: '1.0', flavour: 'node', handler: 'svc.mjs:handle', cwd: dir, exportPath: dir });
  await build('plain');
  await build('signed');
  const keys = generateSigningKeys();
  await writeFile(join(dir, 'signer.pub.pem'), keys.publicKeyPem);
  await writeFile(join(dir, 'other.pub.pem'), generateSigningKeys().publicKeyPem);
  await signArchive(join(dir, 'signed.mar'), { privateKey: keys.privateKeyPem });
});
afterAll(async () => {
  await cleanup();
});

const REFERENCE = join(REPO_ROOT, 'fixtures/reference-fixture/cases/ts_default/mymodel.mar');

/** Command lines the direct path answers, and what the command does with each. */
const ANSWERED: string[][] = [
  ['inspect', 'plain.mar'],
  ['inspect', 'plain.mar', '--json'],
  ['inspect', 'plain.mar', '--no-onnx'],
  ['inspect', REFERENCE, '--json'],
  ['inspect', 'missing.mar'],
  ['inspect', 'missing.mar', '--json'],
  ['inspect', 'svc.mjs', '--json'],
  ['verify', 'plain.mar'],
  ['verify', 'plain.mar', '--json'],
  ['verify', REFERENCE],
  ['verify', REFERENCE, '--allow-unverified', '--json'],
  ['verify', 'signed.mar', '--public-key', 'signer.pub.pem', '--require-signature'],
  ['verify', 'signed.mar', '--public-key=other.pub.pem', '--json'],
  ['verify', 'plain.mar', '--public-key', 'signer.pub.pem'],
  ['verify', 'plain.mar', '--public-key', 'missing.pem', '--json'],
  ['verify', 'plain.mar', '--strict', '--allow-unverified'],
  ['verify', 'plain.mar', '--strict', '--allow-unverified', '--json'],
  ['verify', 'plain.mar', '--require-signature'],
  ['lint', 'plain.mar'],
  ['lint', 'plain.mar', REFERENCE, '--format', 'sarif'],
  ['lint', REFERENCE, '--format=github', '--max-warnings', '0'],
  ['lint', REFERENCE, '--json'],
  ['lint', '*.mar', '--concurrency', '2'],
  ['lint', 'missing.mar'],
  ['lint', 'plain.mar', '--concurrency', '0'],
  ['lint', 'plain.mar', '--concurrency', '0', '--format=json'],
];

/** Command lines whose only mistake is flags the command does not know: the direct path prints main()'s usage error. */
const UNKNOWN_FLAGS: string[][] = [
  ['inspect', 'plain.mar', '--jsno'],
  ['inspect', 'plain.mar', '--jsn', '--onx'],
  ['inspect', 'plain.mar', '--jsn=1', '--json'],
  ['inspect', 'plain.mar', '--tool-versio'],
  ['inspect', 'plain.mar', '--x-y', '--no-onnx'],
  ['verify', 'plain.mar', '--public-ky=signer.pub.pem'],
  ['verify', 'plain.mar', '--hel', '--allow-unverified'],
  ['lint', 'plain.mar', '--max-warning=0', '--load'],
  ['lint', '--formt=json', 'plain.mar', 'signed.mar'],
];

/** Command lines the direct path leaves to main(), with main()'s exit code. */
const DECLINED: [string[], number][] = [
  [['inspect', '--json'], 2],
  [['inspect', '--jsn'], 2],
  [['inspect', 'plain.mar', '--Json'], 2],
  [['inspect', 'plain.mar', '--no-jsn'], 2],
  [['inspect', 'plain.mar', '--jsn', '--jsn'], 2],
  [['lint', 'plain.mar', '--formt', 'json'], 2],
  [['inspect', 'plain.mar', '--help'], 0],
  [['verify', 'plain.mar', '--publicKey', 'signer.pub.pem'], 1],
  [['lint', 'plain.mar', '--format', 'xml', '--json'], 2],
  [['lint', 'plain.mar', '--max-warnings', '1.5'], 2],
];

const titled = <T>(lines: readonly T[], args: (line: T) => string[]): [string, T][] => lines.map((line) => [args(line).join(' '), line]);

describe('the direct path of the bundled binary', () => {
  it.each(titled(ANSWERED, (args) => args))('answers %s as main() does, without main.cjs', async (_, args) => {
    const [direct, viaMain] = await Promise.all([runBundled(args), runBundled(args, FORCE_MAIN)]);
    expect(scriptsRead(direct)).toEqual(['direct.cjs']);
    expect(scriptsRead(viaMain)).toEqual(['main.cjs']);
    expect({ ...direct, trace: [] }).toEqual({ ...viaMain, trace: [] });
  });

  it.each(titled(UNKNOWN_FLAGS, (args) => args))('reports the unknown flags of %s as main() does, exit 2, without main.cjs', async (_, args) => {
    const [direct, viaMain] = await Promise.all([runBundled(args), runBundled(args, FORCE_MAIN)]);
    expect(scriptsRead(direct)).toEqual(['direct.cjs']);
    expect({ ...direct, trace: [] }).toEqual({ ...viaMain, trace: [] });
    expect(direct.exitCode).toBe(2);
  });

  it.each(titled(DECLINED, ([args]) => args))('leaves %s to main(), with main()’s answer', async (_, [args, exitCode]) => {
    const [direct, viaMain] = await Promise.all([runBundled(args), runBundled(args, FORCE_MAIN)]);
    expect(scriptsRead(direct)).toEqual(['direct.cjs', 'main.cjs']);
    expect({ ...direct, trace: [] }).toEqual({ ...viaMain, trace: [] });
    expect(direct.exitCode).toBe(exitCode);
  });

  it('answers the exit codes of the commands: 0, 1 (check failed), 2 (handler option check), 3, 4', async () => {
    const codes = await Promise.all(
      [['inspect', 'plain.mar'], ['verify', REFERENCE], ['lint', 'plain.mar', '--concurrency', '0'], ['verify', 'plain.mar', '--public-key', 'missing.pem'], ['inspect', 'missing.mar']].map(
        async (args) => (await runBundled(args)).exitCode,
      ),
    );
    expect(codes).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('zod on the direct path of the bundled binary', () => {
  const readsZod = (traced: TracedRun): boolean => traced.trace.some((path) => /[\\/]zod\.cjs$/.test(path));

  it('is not loaded for a valid archive', async () => {
    for (const args of [['inspect', 'plain.mar', '--json'], ['verify', 'signed.mar', '--public-key', 'signer.pub.pem'], ['lint', 'plain.mar']]) {
      const traced = await runBundled(args);
      expect(traced.exitCode, traced.stderr).toBe(0);
      expect(scriptsRead(traced)).toEqual(['direct.cjs']);
      expect(readsZod(traced)).toBe(false);
    }
  });

  it('is loaded to explain an invalid manifest, with the answer main() gives', async () => {
    await mkdir(join(dir, 'bad/MAR-INF'), { recursive: true });
    await writeFile(join(dir, 'bad/MAR-INF/MANIFEST.json'), JSON.stringify({ model: { modelName: 7 } }));
    const [direct, viaMain] = await Promise.all([runBundled(['inspect', 'bad', '--json']), runBundled(['inspect', 'bad', '--json'], FORCE_MAIN)]);
    expect(direct.exitCode).toBe(3);
    expect(readsZod(direct)).toBe(true);
    expect({ ...direct, trace: [] }).toEqual({ ...viaMain, trace: [] });
  });
});

describe('the direct path of the unbundled build', () => {
  it('runs inspect without loading yargs, which main() loads', async () => {
    const args = ['inspect', 'plain.mar', '--json'];
    const [direct, viaMain] = await Promise.all([
      run(DIST_BIN, args, {}, ['--import', MODULE_TRACE], 'module-trace '),
      run(DIST_BIN, args, FORCE_MAIN, ['--import', MODULE_TRACE], 'module-trace '),
    ]);
    const yargs = (traced: TracedRun): boolean => traced.trace.some((url) => /\/node_modules\/yargs\//.test(url));
    expect(direct.trace.some((url) => url.endsWith('/dist/direct.js'))).toBe(true);
    expect(yargs(direct)).toBe(false);
    expect(yargs(viaMain)).toBe(true);
    expect({ ...direct, trace: [] }).toEqual({ ...viaMain, trace: [] });
  });
});

/** Waits until process `pid` has `file` open (Linux /proc; elsewhere a second). */
async function waitUntilOpen(pid: number, file: string): Promise<void> {
  const fds = `/proc/${pid}/fd`;
  for (let i = 0; i < 400; i += 1) {
    if (!existsSync(fds)) return sleep(1000).then(() => undefined);
    const open = readdirSync(fds).some((fd) => {
      try {
        return readlinkSync(join(fds, fd)) === file;
      } catch {
        return false;
      }
    });
    if (open) return;
    await sleep(10);
  }
}

describe('signals on the direct path', () => {
  let big: string;
  beforeAll(async () => {
    // 512 MiB of sparse zeros stored: verify hashes for about a second, time to interrupt it.
    await writeFile(join(dir, 'weights.bin'), '');
    await truncate(join(dir, 'weights.bin'), 512 * 1024 * 1024);
    const result = await buildArchive({
      modelName: 'big',
      version: '1.0',
      flavour: 'node',
      handler: 'svc.mjs:handle',
      extraFiles: ['weights.bin'],
      archiveFormat: 'zip-store',
      cwd: dir,
      exportPath: join(dir, 'big'),
    });
    big = result.outputPath;
  });

  /** Starts `verify big.mar`, sends `signal` once the archive is open (the handlers are set), returns the run. */
  async function interrupted(signal: NodeJS.Signals, env: Record<string, string>, json: boolean): Promise<CliRun> {
    const child = spawn(process.execPath, [BIN, 'verify', big, ...(json ? ['--json'] : [])], {
      cwd: dir,
      env: { ...process.env, MODEL_ARCHIVER_DEBUG: '', MODEL_ARCHIVER_DIRECT: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    await waitUntilOpen(child.pid ?? 0, big);
    child.kill(signal);
    return { exitCode: await done, stdout, stderr };
  }

  it('exits 143 on SIGTERM and 130 on SIGINT with ABORTED, as main() does', async () => {
    // Where the abort lands (reading or hashing) words the message: compare the exit code and the error code.
    const outcome = (run: CliRun, json: boolean): unknown => ({
      exitCode: run.exitCode,
      code: json ? (JSON.parse(run.stdout) as { error: { code: string } }).error.code : /error (\w+):/.exec(run.stderr)?.[1],
    });
    for (const [signal, exitCode, json] of [['SIGTERM', 143, true], ['SIGINT', 130, false]] as const) {
      const direct = outcome(await interrupted(signal, {}, json), json);
      expect(direct).toEqual({ exitCode, code: 'ABORTED' });
      expect(outcome(await interrupted(signal, FORCE_MAIN, json), json)).toEqual(direct);
    }
  });
});
