import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildZip, validManifest, validZip } from '../../../../fixtures/hostile/zip-builder.mjs';
import { jsonOf, runCli } from './cli-harness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-e2e-extract-'));
  await writeFile(join(dir, 'model.mar'), validZip());
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model-archiver extract', () => {
  it('extracts into ./<model name> and prints a summary line', async () => {
    const run = await runCli(['extract', 'model.mar'], dir);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Extracted 4 file\(s\), .* into mymodel\n$/);
    expect(await readFile(join(dir, 'mymodel', 'extra', 'labels.json'), 'utf8')).toBe('["cat","dog"]');
    expect((await readdir(dir)).sort()).toEqual(['model.mar', 'mymodel']);
  });

  it('falls back to the archive name when the manifest names no safe model', async () => {
    await writeFile(join(dir, 'odd.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: JSON.stringify({ model: { modelName: '../../escape' } }) }]));
    // '../../escape' also fails the manifest schema: --no-validate extracts it anyway.
    const run = await runCli(['extract', 'odd.mar', '--no-validate'], dir);
    expect(run.exitCode).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['model.mar', 'odd', 'odd.mar']);
  });

  it('refuses an archive whose manifest is not JSON (exit 3, MANIFEST_INVALID), writing nothing, unless --no-validate', async () => {
    const files = [{ name: 'MAR-INF/MANIFEST.json', data: '{ not json' }, { name: 'handler.py', data: 'x = 1\n' }];
    await writeFile(join(dir, 'bad.mar'), buildZip(files));
    const refused = await runCli(['extract', 'bad.mar', 'out', '--json'], dir);
    expect(refused.exitCode).toBe(3);
    expect((jsonOf(refused) as { error?: { code: string } }).error?.code).toBe('MANIFEST_INVALID');
    expect((await readdir(dir)).sort()).toEqual(['bad.mar', 'model.mar']);
    const forced = await runCli(['extract', 'bad.mar', 'out', '--no-validate'], dir);
    expect(forced.exitCode).toBe(0);
    expect(await readFile(join(dir, 'out', 'handler.py'), 'utf8')).toBe('x = 1\n');
  });

  it('extracts many entries at once without warnings on stderr', async () => {
    const files = Array.from({ length: 24 }, (_, i) => ({ name: `w/f${i}.bin`, data: randomBytes(100 * 1024), method: 0 }));
    await writeFile(join(dir, 'wide.mar'), buildZip([{ name: 'MAR-INF/MANIFEST.json', data: validManifest() }, ...files]));
    const run = await runCli(['extract', 'wide.mar', 'out'], dir);
    expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect((await readdir(join(dir, 'out', 'w'))).length).toBe(24);
  });

  it('refuses an archive without a manifest (exit 4, MANIFEST_MISSING)', async () => {
    await writeFile(join(dir, 'none.mar'), buildZip([{ name: 'handler.py', data: 'x = 1\n' }]));
    const refused = await runCli(['extract', 'none.mar', 'out', '--json'], dir);
    expect(refused.exitCode).toBe(4);
    expect((jsonOf(refused) as { error?: { code: string } }).error?.code).toBe('MANIFEST_MISSING');
    expect((await readdir(dir)).sort()).toEqual(['model.mar', 'none.mar']);
  });

  it('prints one JSON document with --json', async () => {
    const run = await runCli(['extract', 'model.mar', 'out', '--json'], dir);
    expect(run.exitCode).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, dest: join(dir, 'out'), files: 4, skipped: [], verified: false });
  });

  it('keeps an existing folder (exit 5) unless --force', async () => {
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'mine.txt'), 'keep');
    const refused = await runCli(['extract', 'model.mar', 'out', '--json'], dir);
    expect(refused.exitCode).toBe(5);
    expect(jsonOf(refused)).toMatchObject({ ok: false, error: { code: 'OUTPUT_EXISTS' } });
    expect(await readdir(join(dir, 'out'))).toEqual(['mine.txt']);
    const forced = await runCli(['extract', 'model.mar', 'out', '--force'], dir);
    expect(forced.exitCode).toBe(0);
    expect(await readdir(join(dir, 'out'))).not.toContain('mine.txt');
  });

  it('refuses a zip-slip archive with exit 7 and writes nothing', async () => {
    await writeFile(join(dir, 'evil.mar'), buildZip([{ name: '../evil.txt', data: 'pwned' }, { name: 'MAR-INF/MANIFEST.json', data: validManifest() }]));
    const run = await runCli(['extract', 'evil.mar', 'out'], dir);
    expect(run.exitCode).toBe(7);
    expect(run.stderr).toMatch(/^model-archiver: error ENTRY_PATH_TRAVERSAL: /);
    expect((await readdir(dir)).sort()).toEqual(['evil.mar', 'model.mar']);
  });

  it('applies --max-entries, --max-size and --max-ratio', async () => {
    expect(jsonOf(await runCli(['extract', 'model.mar', 'out', '--json', '--max-entries', '2'], dir))).toMatchObject({ error: { code: 'LIMIT_ENTRY_COUNT' } });
    expect(jsonOf(await runCli(['extract', 'model.mar', 'out', '--json', '--max-size', '1K'], dir))).toMatchObject({ error: { code: 'LIMIT_TOTAL_SIZE' } });
    await writeFile(join(dir, 'zeros.mar'), buildZip([{ name: 'z.bin', data: Buffer.alloc(2 * 1024 * 1024) }]));
    expect(jsonOf(await runCli(['extract', 'zeros.mar', 'out', '--json', '--max-ratio', '50'], dir))).toMatchObject({ error: { code: 'LIMIT_COMPRESSION_RATIO' } });
    expect((await readdir(dir)).sort()).toEqual(['model.mar', 'zeros.mar']);
  });

  it('reports a bad --max-size as a usage problem (exit 2) and a missing archive with exit 4', async () => {
    expect((await runCli(['extract', 'model.mar', 'out', '--max-size', 'lots'], dir)).exitCode).toBe(2);
    expect((await runCli(['extract', 'nope.mar', 'out'], dir)).exitCode).toBe(4);
  });
});
