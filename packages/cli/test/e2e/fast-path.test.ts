/**
 * What the bundle answers without yargs (src/fast-path.ts) against what yargs answers: the pre-rendered `--help`
 * texts of the bundle equal `main()`'s output at their widths, and the bundled binary prints the same bytes as the
 * unbundled build (which has no pre-rendered texts and always runs yargs).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { answerWithoutParser, englishLocale, HELP_COMMANDS } from '../../src/fast-path.js';
import type { CliIo } from '../../src/io.js';
import { main } from '../../src/main.js';
import { DIST_BIN, REPO_ROOT, runCli, tempDir } from './cli-harness.js';
import type { CliRun } from './cli-harness.js';

const PRERENDERED = join(REPO_ROOT, 'packages/cli/dist/bundle/prerendered-help.json');

/** `main([...command, '--help'])` in-process with a stdout of the given width. */
async function helpAt(columns: number, command: string[] = []): Promise<string> {
  const stdout = Object.assign(new PassThrough(), { columns });
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const io: CliIo = { stdout, stderr: new PassThrough(), cwd: REPO_ROOT, env: {}, signal: new AbortController().signal };
  expect(await main([...command, '--help'], io)).toBe(0);
  return out;
}

/** Runs the unbundled build (`tsc -b` output: yargs every time). */
function runUnbundled(args: readonly string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DIST_BIN, ...args], { cwd, env: { ...process.env, MODEL_ARCHIVER_DEBUG: '', ...env } }, (error, stdout, stderr) => {
      resolve({ exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const ENGLISH = { LC_ALL: 'en_US.UTF-8' };

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('fast-path'));
});
afterAll(async () => {
  await cleanup();
});

describe('answers given without yargs', () => {
  it('pre-renders --help and each <command> --help for each width exactly as yargs prints them', async () => {
    const { help, commandHelp } = JSON.parse(await readFile(PRERENDERED, 'utf8')) as {
      help: Record<string, string>;
      commandHelp: Record<string, Record<string, string>>;
    };
    expect(Object.keys(help)).toEqual(['80', '100', '120']);
    for (const [width, text] of Object.entries(help)) expect(`${text}\n`).toBe(await helpAt(Number(width)));
    expect(Object.keys(commandHelp)).toEqual([...HELP_COMMANDS]);
    for (const [command, widths] of Object.entries(commandHelp)) {
      expect(Object.keys(widths)).toEqual(['80', '100', '120']);
      for (const [width, text] of Object.entries(widths)) expect(`${text}\n`).toBe(await helpAt(Number(width), [command]));
    }
  });

  it('prints the same --help, -h, <command> --help and -V bytes as the unbundled build, exit 0', async () => {
    // YARGS_DISABLE_WRAP (yargs prints unwrapped help) goes to yargs, so the bytes stay the same.
    for (const env of [ENGLISH, { ...ENGLISH, YARGS_DISABLE_WRAP: '1' }]) {
      const [bundled, unbundled] = await Promise.all([runCli(['inspect', '--help'], dir, env), runUnbundled(['inspect', '--help'], dir, env)]);
      expect(bundled).toEqual(unbundled);
    }
    for (const args of [['--help'], ['-h'], ['-V'], ['--tool-version'], ['inspect', '--help'], ['create', '-h'], ['predict', '--help']]) {
      const [bundled, unbundled] = await Promise.all([runCli(args, dir, ENGLISH), runUnbundled(args, dir, ENGLISH)]);
      expect(bundled).toEqual(unbundled);
      expect(bundled.exitCode).toBe(0);
      expect(bundled.stdout.length).toBeGreaterThan(0);
    }
  });

  it('prints the completion script yargs prints for the shell (SHELL, ZSH_NAME), the same bytes as the unbundled build', async () => {
    const shells = [{}, { SHELL: '/bin/bash' }, { SHELL: '/usr/bin/zsh' }, { SHELL: '/bin/sh', ZSH_NAME: 'zsh' }, { SHELL: '/usr/local/bin/fish' }];
    const scripts = new Set<string>();
    for (const shell of shells) {
      const env = { ...ENGLISH, SHELL: '', ZSH_NAME: '', ...shell };
      const [bundled, unbundled] = await Promise.all([runCli(['completion'], dir, env), runUnbundled(['completion'], dir, env)]);
      expect(bundled).toEqual(unbundled);
      expect(bundled.exitCode).toBe(0);
      scripts.add(bundled.stdout);
    }
    expect(scripts.size).toBe(3);
  });

  it('answers an unknown command as main() does, exit 2', async () => {
    for (const args of [['inspct', 'model.mar'], ['zzz'], ['inspct', '--json']]) {
      const [bundled, unbundled] = await Promise.all([runCli(args, dir, ENGLISH), runUnbundled(args, dir, ENGLISH)]);
      expect(bundled).toEqual(unbundled);
      expect(bundled.exitCode).toBe(2);
    }
  });

  it('leaves a known command, flags, --json usage errors, other locales and YARGS_DISABLE_WRAP to main()', () => {
    const proc = { stdout: { write: () => true, columns: 100 }, stderr: { write: () => true }, env: ENGLISH };
    const others = [['inspect', 'x.mar'], ['--model-name', 'm'], ['inspct', '--json'], ['inspct', '--format=json'], ['--help', 'inspect'], []];
    for (const args of [...others, ['completion', '--help'], ['inspect', '--help', '--json'], ['inspect', 'x.mar', '--help']]) {
      expect(answerWithoutParser(args, proc)).toBeUndefined();
    }
    expect(answerWithoutParser(['--help'], { ...proc, env: { LANG: 'de_DE.UTF-8' } })).toBeUndefined();
    expect(answerWithoutParser(['inspect', '--help'], { ...proc, env: { ...ENGLISH, YARGS_DISABLE_WRAP: '1' } })).toBeUndefined();
    expect(answerWithoutParser(['--help'], { ...proc, stdout: { write: () => true, columns: 93 } })).toBeUndefined();
  });

  it('takes the locale the way yargs does (LC_ALL, LC_MESSAGES, LANG, LANGUAGE, then en_US)', () => {
    expect(englishLocale({})).toBe(true);
    expect(englishLocale({ LANG: 'C.UTF-8' })).toBe(true);
    expect(englishLocale({ LANG: 'en_GB.UTF-8' })).toBe(true);
    expect(englishLocale({ LC_ALL: 'fr_FR.UTF-8', LANG: 'en_US.UTF-8' })).toBe(false);
    expect(englishLocale({ LC_ALL: '', LC_MESSAGES: 'pt_BR', LANG: 'en_US' })).toBe(false);
  });
});
