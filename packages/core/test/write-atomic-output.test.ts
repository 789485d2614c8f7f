import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commitOutput, prepareOutput, removeCreatedFolders } from '../src/fs/atomic-output.js';
import { buildArchive } from '../src/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomic-output-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic output', () => {
  it('writes to a temporary sibling and renames it into place, creating the export folder', async () => {
    const target = join(dir, 'a', 'b', 'm.mar');
    const { temporary } = await prepareOutput(target, false);
    expect(temporary.startsWith(`${target}.model-archiver-tmp-${process.pid}-`)).toBe(true);
    await writeFile(temporary, 'new');
    expect(await commitOutput(temporary, target, 'file', false)).toBe(false);
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['m.mar']);
    expect(await readFile(target, 'utf8')).toBe('new');
  });

  it('never clobbers a file created after the first check when force is off', async () => {
    const target = join(dir, 'm.mar');
    const { temporary } = await prepareOutput(target, false);
    await writeFile(temporary, 'new');
    await writeFile(target, 'someone else');
    await expect(commitOutput(temporary, target, 'file', false)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(target, 'utf8')).toBe('someone else');
    expect(await readdir(dir)).toEqual(['m.mar']);
  });

  it('never merges into a folder created after the first check when force is off', async () => {
    const target = join(dir, 'm');
    const { temporary } = await prepareOutput(target, false);
    await mkdir(temporary);
    await writeFile(join(temporary, 'x'), 'new');
    await mkdir(target);
    await expect(commitOutput(temporary, target, 'folder', false)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readdir(dir)).toEqual(['m']);
    expect(await readdir(target)).toEqual([]);
  });

  it('refuses an existing output before any work and replaces it only with force', async () => {
    const target = join(dir, 'm.mar');
    await writeFile(target, 'old');
    await expect(prepareOutput(target, false)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    const { temporary } = await prepareOutput(target, true);
    await writeFile(temporary, 'new');
    expect(await commitOutput(temporary, target, 'file', true)).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['m.mar']);
  });

  it('replaces a folder as a whole with force, leaving no stale file and no leftovers', async () => {
    const target = join(dir, 'm');
    await mkdir(target);
    await writeFile(join(target, 'stale'), 'old');
    const { temporary } = await prepareOutput(target, true);
    await mkdir(temporary);
    await writeFile(join(temporary, 'fresh'), 'new');
    expect(await commitOutput(temporary, target, 'folder', true)).toBe(true);
    expect(await readdir(target)).toEqual(['fresh']);
    expect(await readdir(dir)).toEqual(['m']);
  });

  it('reports an export path that is a file as INPUT_NOT_DIRECTORY', async () => {
    await writeFile(join(dir, 'file'), '');
    await expect(prepareOutput(join(dir, 'file', 'm.mar'), false)).rejects.toMatchObject({ code: 'INPUT_NOT_DIRECTORY' });
  });

  it('removes the export folders it created, and only while they are empty', async () => {
    const target = join(dir, 'a', 'b', 'm.mar');
    const prepared = await prepareOutput(target, false);
    expect(prepared.createdFolder).toBe(join(dir, 'a'));
    await removeCreatedFolders(join(dir, 'a', 'b'), prepared.createdFolder);
    expect(await readdir(dir)).toEqual([]);

    const again = await prepareOutput(target, false);
    await writeFile(join(dir, 'a', 'other'), 'someone else wrote here');
    await removeCreatedFolders(join(dir, 'a', 'b'), again.createdFolder);
    expect(await readdir(join(dir, 'a'))).toEqual(['other']);
  });

  it('leaves no export folder behind when a build into a new folder fails', async () => {
    await writeFile(join(dir, 'svc.mjs'), 'export const handle = (b) => b;');
    const controller = new AbortController();
    const building = buildArchive({
      modelName: 'm',
      handler: 'svc:handle',
      cwd: dir,
      exportPath: join(dir, 'new', 'deeper'),
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(building).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await readdir(dir)).toEqual(['svc.mjs']);
  });
});
