import { PassThrough } from 'node:stream';

import type { BuildResult } from '@model-archiver/core';
import { describe, expect, it } from 'vitest';

import type { CliIo } from '../../src/io.js';
import { describeContainer, formatCreateSummary, printCreateResult } from '../../src/output/create-output.js';
import { formatBytes, formatDuration } from '../../src/output/format.js';

const sha = 'a'.repeat(64);
const result: BuildResult = {
  outputPath: '/work/out/x.mar',
  format: 'default',
  flavour: 'torchserve',
  flavourReason: '--version was given',
  manifest: { runtime: 'python' },
  entries: [
    { path: 'model.pt', size: 3_000_000, sha256: sha, method: 'store' },
    { path: 'handler.py', size: 500_000, sha256: sha, method: 'deflate' },
    { path: 'MAR-INF/MANIFEST.json', size: 200, sha256: sha, method: 'deflate' },
  ],
  bytesIn: 3_500_200,
  bytesOut: 3_100_000,
  durationMs: 213,
  replaced: false,
  warnings: ['glob extra/*.bin matched nothing'],
};

function fakeIo(): { io: CliIo; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io: CliIo = { stdout, stderr, cwd: '/work', env: {}, signal: new AbortController().signal };
  return { io, out: () => out, err: () => err };
}

describe('formatBytes and formatDuration', () => {
  it('uses binary units with one decimal and seconds with two', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3_565_158)).toBe('3.4 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1.0 GiB');
    expect(formatDuration(213)).toBe('0.21 s');
  });
});

describe('formatCreateSummary', () => {
  it('names the output relative to cwd, the flavour and why, the storage, entries, sizes and time', () => {
    const line = formatCreateSummary(result, '/work');
    expect(line).toBe(
      'Created out/x.mar (torchserve flavour: --version was given; zip, 2 deflated + 1 stored) 4 entries, 3.3 MiB -> 3.0 MiB in 0.21 s',
    );
  });

  it('says Replaced when an existing output was replaced and keeps paths outside cwd absolute', () => {
    const line = formatCreateSummary({ ...result, replaced: true }, '/elsewhere');
    expect(line.startsWith('Replaced /work/out/x.mar ')).toBe(true);
  });

  it('describes each container format', () => {
    expect(describeContainer({ ...result, format: 'zip-store' })).toBe('zip, stored');
    expect(describeContainer({ ...result, format: 'tgz' })).toBe('tar.gz');
    expect(describeContainer({ ...result, format: 'no-archive' })).toBe('folder');
  });
});

describe('printCreateResult', () => {
  it('prints warnings on stderr and exactly one summary line on stdout', () => {
    const { io, out, err } = fakeIo();
    printCreateResult(result, io, { json: false, quiet: false });
    expect(out().split('\n')).toHaveLength(2);
    expect(err()).toBe('warning: glob extra/*.bin matched nothing\n');
  });

  it('prints nothing when quiet', () => {
    const { io, out, err } = fakeIo();
    printCreateResult(result, io, { json: false, quiet: true });
    expect(out() + err()).toBe('');
  });

  it('prints the result as JSON with ok true', () => {
    const { io, out, err } = fakeIo();
    printCreateResult(result, io, { json: true, quiet: false });
    expect(JSON.parse(out())).toEqual({ ok: true, ...result });
    expect(err()).toBe('');
  });
});
