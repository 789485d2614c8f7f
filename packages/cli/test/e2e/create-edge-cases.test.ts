/**
 * The edge cases of the reference archivers (docs: anchors §6) that we handle differently on purpose, run with the
 * built binary on the recreated reference fixture: each test names the reference behaviour it replaces.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeReferenceFixture } from '../../../../fixtures/make-reference-fixture.mjs';
import { errorCodeOf, jsonOf, readZip, runCli, tempDir } from './cli-harness.js';

let scratch = '';
let fixture = '';
let cleanup: () => Promise<void> = async () => {};
let counter = 0;
/** A fresh, not yet existing output folder under the scratch dir. */
const outDir = (): string => join(scratch, `out-${(counter += 1)}`);

beforeAll(async () => {
  ({ dir: scratch, cleanup } = await tempDir('edge'));
  fixture = await makeReferenceFixture(join(scratch, 'fixture'));
});
afterAll(async () => cleanup());

const HANDLER_PY = 'def handle(data, context):\n    return data\n';

describe('MMS --model-path trees', () => {
  it('refuses a dangling symlink with SYMLINK_DANGLING and leaves no partial archive (MMS: traceback + partial .mar)', async () => {
    const out = outDir();
    const args = ['--model-name', 'm', '--model-path', join(fixture, 'model'), '--handler', 'h:handle'];
    const run = await runCli([...args, '--export-path', out, '--json'], scratch);
    expect(run.exitCode).toBe(4);
    expect(errorCodeOf(run)).toBe('SYMLINK_DANGLING');
    expect(existsSync(out) ? await readdir(out) : []).toEqual([]);
  });

  it('archives files older than 1980 (MMS and TorchServe: ValueError crash)', async () => {
    const out = outDir();
    const args = ['--model-name', 'old', '--model-path', join(fixture, 'old_model'), '--handler', 'h'];
    const run = await runCli([...args, '--export-path', out], scratch);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readZip(join(out, 'old.mar'))).members.get('old.bin')?.data.toString()).toBe('ob');
  });

  it('stores non-ASCII names as UTF-8', async () => {
    const out = outDir();
    const run = await runCli(['--model-name', 'u', '--model-path', join(fixture, 'uni'), '--handler', 'h', '--export-path', out], scratch);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readZip(join(out, 'u.mar'))).names).toContain('naïve-模型.txt');
  });

  it('creates a missing export path (MMS: refuses it)', async () => {
    const out = join(outDir(), 'deeper/still');
    const args = ['--model-name', 'm', '--model-path', join(fixture, 'model_clean'), '--handler', 'h:handle'];
    const run = await runCli([...args, '--export-path', out], scratch);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(out, 'm.mar'))).toBe(true);
  });
});

describe('TorchServe inputs', () => {
  let work = '';
  beforeAll(async () => {
    work = join(scratch, 'ts-work');
    await mkdir(join(work, 'dup/MAR-INF'), { recursive: true });
    await mkdir(join(work, 'hd'), { recursive: true });
    await mkdir(join(work, 'my.pyenv'), { recursive: true });
    await writeFile(join(work, 'handler.py'), HANDLER_PY);
    await writeFile(join(work, 'model.pt'), 'weights-1');
    await writeFile(join(work, 'dup/model.pt'), 'weights-2');
    await writeFile(join(work, 'dup/MAR-INF/MANIFEST.json'), '{}');
    await writeFile(join(work, 'hd/h.py'), HANDLER_PY);
    await writeFile(join(work, 'my.pyenv/h.py'), HANDLER_PY);
  });

  it('refuses two inputs on one path with ENTRY_COLLISION (TorchServe: the last copy wins silently)', async () => {
    const args = ['--model-name', 'c', '-v', '1', '--serialized-file', 'model.pt', '--handler', 'handler.py'];
    const run = await runCli([...args, '--extra-files', 'dup/model.pt', '--json'], work);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('ENTRY_COLLISION');
    expect(existsSync(join(work, 'c.mar'))).toBe(false);
  });

  it('refuses an input landing on MAR-INF/ with RESERVED_PATH (TorchServe: two MANIFEST.json entries)', async () => {
    const run = await runCli(['--model-name', 'r', '-v', '1', '--handler', 'handler.py', '--extra-files', 'dup', '--json'], work);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('RESERVED_PATH');
  });

  it('accepts a handler file path with a :function (TorchServe: tries to copy a file named "h.py:fn")', async () => {
    const out = outDir();
    const run = await runCli(['--model-name', 'hf', '-v', '1', '--handler', 'hd/h.py:fn', '--export-path', out], work);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readZip(join(out, 'hf.mar'))).names).toContain('h.py');
  });

  it('finds a handler in a folder whose name contains .py (TorchServe: copy fails)', async () => {
    const out = outDir();
    const run = await runCli(['--model-name', 'dp', '-v', '1', '--handler', 'my.pyenv/h', '--export-path', out], work);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readZip(join(out, 'dp.mar'))).names).toContain('h.py');
  });

  it('trims --extra-files items (TorchServe fails on "a, b")', async () => {
    const out = outDir();
    const args = ['--model-name', 'sp', '-v', '1', '--handler', 'handler.py', '--extra-files', 'model.pt, hd'];
    const run = await runCli([...args, '--export-path', out], work);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await readZip(join(out, 'sp.mar'))).names).toEqual(expect.arrayContaining(['model.pt', 'h.py']));
  });

  it('leaves $TMPDIR/<model-name> alone (TorchServe deletes it with rmtree)', async () => {
    const tmp = join(scratch, 'own-tmp');
    await mkdir(join(tmp, 'clobber'), { recursive: true });
    await writeFile(join(tmp, 'clobber/keep.txt'), 'mine');
    const run = await runCli(['--model-name', 'clobber', '-v', '1', '--handler', 'handler.py', '--export-path', outDir()], work, {
      TMPDIR: tmp,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(join(tmp, 'clobber/keep.txt'), 'utf8')).toBe('mine');
  });

  it('refuses a version with a slash with MODEL_VERSION_INVALID (TorchServe: no check)', async () => {
    const run = await runCli(['--model-name', 'bv', '-v', 'a/b', '--handler', 'base_handler', '--json'], work);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('MODEL_VERSION_INVALID');
  });
});

describe('outputs', () => {
  it('replaces a no-archive folder whole with -f (MMS and TorchServe: stale files survive)', async () => {
    const out = outDir();
    const args = ['--model-name', 'na', '--model-path', join(fixture, 'model_clean'), '--handler', 'h:handle'];
    const first = await runCli([...args, '--archive-format', 'no-archive', '--export-path', out], scratch);
    expect(first.exitCode, first.stderr).toBe(0);
    await writeFile(join(out, 'na/stale.txt'), 'old');
    const again = await runCli([...args, '--archive-format', 'no-archive', '--export-path', out, '-f', '--json'], scratch);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(jsonOf(again).replaced).toBe(true);
    expect(existsSync(join(out, 'na/stale.txt'))).toBe(false);
    expect(existsSync(join(out, 'na/handler.py'))).toBe(true);
  });

  it('gives the same bytes for the same inputs, whatever the time zone and the time of the build', async () => {
    const args = ['--model-name', 'r', '--model-path', join(fixture, 'model_clean'), '--handler', 'h:handle'];
    const a = outDir();
    const b = outDir();
    expect((await runCli([...args, '--export-path', a], scratch, { TZ: 'UTC' })).exitCode).toBe(0);
    expect((await runCli([...args, '--export-path', b], scratch, { TZ: 'Asia/Tokyo' })).exitCode).toBe(0);
    expect((await readFile(join(a, 'r.mar'))).equals(await readFile(join(b, 'r.mar')))).toBe(true);
  });

  it('writes --timestamp into the TorchServe createdOn field', async () => {
    const out = outDir();
    const args = ['--model-name', 't', '-v', '1', '--handler', 'base_handler', '--timestamp', '2024-01-02T03:04:05Z'];
    const run = await runCli([...args, '--export-path', out], scratch);
    expect(run.exitCode, run.stderr).toBe(0);
    const manifest = (await readZip(join(out, 't.mar'))).members.get('MAR-INF/MANIFEST.json')?.data.toString('utf8');
    expect(JSON.parse(manifest ?? '{}')).toMatchObject({ createdOn: '02/01/2024 03:04:05' });
  });
});
