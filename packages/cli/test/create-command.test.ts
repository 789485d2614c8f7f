/**
 * `create` through `main(argv, io)` in-process (fast checks; the built binary is covered by test/e2e/create*.test.ts).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CliIo } from '../src/io.js';
import { main } from '../src/main.js';
import { VERSION } from '../src/version.js';

const SVC_MJS = 'export async function handle(batch) {\n  return batch.map(() => 1);\n}\n';

interface FakeIo {
  io: CliIo;
  out: () => string;
  err: () => string;
}

function fakeIo(cwd: string, options: { signal?: AbortSignal; tty?: boolean; columns?: number; env?: Record<string, string> } = {}): FakeIo {
  const stdout = Object.assign(new PassThrough(), { columns: options.columns ?? 100 });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty ?? false, columns: options.columns ?? 100 });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const signal = options.signal ?? new AbortController().signal;
  return { io: { stdout, stderr, cwd, env: options.env ?? {}, signal }, out: () => out, err: () => err };
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-create-cmd-'));
  await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('create in-process', () => {
  it('builds <model-name>.mar in cwd and prints one summary line', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle'], fake.io);
    expect(code, fake.err()).toBe(0);
    expect(existsSync(join(dir, 'x.mar'))).toBe(true);
    expect(fake.out().startsWith('Created x.mar (node flavour')).toBe(true);
    expect(fake.out().split('\n')).toHaveLength(2);
  });

  it('returns 2 without building when --handler is missing, naming the flag', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x'], fake.io);
    expect(code).toBe(2);
    expect(fake.err()).toContain('handler');
    expect(await readdir(dir)).toEqual(['svc.mjs']);
  });

  it('returns 2 for an unknown flag without running the build', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '--bogus'], fake.io);
    expect(code).toBe(2);
    expect(await readdir(dir)).toEqual(['svc.mjs']);
  });

  it('returns 2 with INVALID_OPTION for --convert', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '--convert', '--json'], fake.io);
    expect(code).toBe(2);
    expect(JSON.parse(fake.out())).toMatchObject({ ok: false, error: { code: 'INVALID_OPTION' } });
  });

  it('returns 2 with INVALID_OPTION for a bad --timestamp', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '--timestamp', 'soon', '--json'], fake.io);
    expect(code).toBe(2);
    expect(JSON.parse(fake.out())).toMatchObject({ error: { code: 'INVALID_OPTION' } });
  });

  it('takes -v as the model version, not as a request for the tool version', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '-v', '3.1', '--json'], fake.io);
    expect(code, fake.err()).toBe(0);
    const result = JSON.parse(fake.out()) as { manifest: Record<string, unknown> };
    expect(JSON.stringify(result.manifest)).toContain('"3.1"');
  });

  it('prints the tool version for --tool-version through the given io', async () => {
    const fake = fakeIo(dir);
    expect(await main(['--tool-version'], fake.io)).toBe(0);
    expect(fake.out().trim()).toBe(VERSION);
  });

  it('prints help through the given io', async () => {
    const fake = fakeIo(dir);
    expect(await main(['--help'], fake.io)).toBe(0);
    expect(fake.out()).toContain('--model-name');
    expect(fake.out()).toContain('--serialized-file');
  });

  it('exits 130 and leaves nothing when the build is interrupted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    const fake = fakeIo(dir, { signal: controller.signal });
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '--json'], fake.io);
    expect(code).toBe(130);
    expect(JSON.parse(fake.out())).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    expect(await readdir(dir)).toEqual(['svc.mjs']);
  });

  it('draws no progress bar for small inputs even on a terminal', async () => {
    const fake = fakeIo(dir, { tty: true });
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle'], fake.io);
    expect(code).toBe(0);
    expect(fake.err()).toBe('');
  });

  it('lets the last of a repeated single-valued flag win, as argparse does', async () => {
    const fake = fakeIo(dir);
    const code = await main(['--model-name', 'x', '--handler', 'svc:handle', '--export-path', 'a', '--export-path', 'b'], fake.io);
    expect(code, fake.err()).toBe(0);
    expect(existsSync(join(dir, 'b/x.mar'))).toBe(true);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  describe('with 65 MiB of input on a terminal', () => {
    const args = ['--model-name', 'big', '--handler', 'svc:handle', '--extra-files', 'big.bin', '--compression', 'store'];
    beforeEach(async () => {
      await writeFile(join(dir, 'big.bin'), '');
      await truncate(join(dir, 'big.bin'), 65 * 1024 * 1024);
    });

    it('draws a progress bar on stderr and clears it before the summary', async () => {
      const fake = fakeIo(dir, { tty: true });
      const code = await main(args, fake.io);
      expect(code, fake.err()).toBe(0);
      expect(fake.err()).toContain('[');
      expect(fake.err().startsWith('\r')).toBe(true);
      expect(fake.err().endsWith('\r\u001b[K')).toBe(true);
      expect(fake.out().startsWith('Created big.mar')).toBe(true);
    });

    it('draws the bar on a terminal that reports a width of 0', async () => {
      const fake = fakeIo(dir, { tty: true, columns: 0 });
      const code = await main(args, fake.io);
      expect(code, fake.err()).toBe(0);
      expect(fake.err()).toContain('100%');
    });

    it('writes plain progress lines when stderr is not a terminal, or under CI', async () => {
      for (const options of [{ tty: false }, { tty: true, env: { CI: 'true' } }]) {
        const fake = fakeIo(dir, options);
        const code = await main([...args, '-f'], fake.io);
        expect(code, fake.err()).toBe(0);
        const lines = fake.err().split('\n').filter((line) => line !== '');
        expect(lines.length).toBeGreaterThan(0);
        expect(fake.err()).not.toContain('\r');
        expect(fake.err()).not.toContain('\u001b');
        expect(lines.at(-1)).toContain('100%');
      }
    });

    it('draws nothing with --no-progress, --quiet or --json', async () => {
      for (const flag of ['--no-progress', '--quiet', '--json']) {
        const fake = fakeIo(dir, { tty: true });
        const code = await main([...args, '-f', flag], fake.io);
        expect(code, fake.err()).toBe(0);
        expect(fake.err()).toBe('');
      }
    });
  });
});
