import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadModel } from '@model-archiver/runtime';

import { preparePythonTarget } from '../src/python/index.js';

import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
beforeEach(async () => {
  area = await tempArea();
});
afterEach(async () => {
  await area.cleanup();
});

const HANDLER = 'export const handle = (batch) => batch.map(() => "ran");';

/** Cache entries (copies and their index files), ignoring the fingerprint notes. */
const cached = async (): Promise<string[]> => (await readdir(area.cacheDir).catch(() => [])).filter((n) => /^[0-9a-f]{64}/.test(n));

describe('loading an archive without an integrity record (fail closed)', () => {
  it('refuses it with INTEGRITY_MISSING and extracts nothing into the cache', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'plain.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    await expect(loadModel(archive, { cacheDir: area.cacheDir })).rejects.toMatchObject({ code: 'INTEGRITY_MISSING' });
    expect(await cached()).toEqual([]);
  });

  it('loads it with allowUnverified, and refuses it again without, even once it is cached', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'plain.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const model = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    const [response] = await model.handle([{ body: 'x' }]);
    expect(response?.body).toBe('ran');
    await model.close();
    await expect(loadModel(archive, { cacheDir: area.cacheDir })).rejects.toMatchObject({ code: 'INTEGRITY_MISSING' });
  });

  it('loads it when verification is turned off altogether', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'plain.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const model = await loadModel(archive, { cacheDir: area.cacheDir, verifyIntegrity: false });
    await model.close();
  });

  it('still checks an archive that has a record when allowUnverified is set', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'tampered.mar'), {
      handler: 'svc',
      files: { 'svc.mjs': HANDLER },
      integrity: true,
      tamper: { 'svc.mjs': 'export const handle = (batch) => batch.map(() => "evil");' },
    });
    await expect(loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true })).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('applies the same policy to Python handlers (the server prepares them before choosing a Python worker)', async () => {
    const manifest = { runtime: 'python', model: { modelName: 'py', handler: 'service:handle' }, modelServerVersion: '1.0', implementationVersion: '1.0', specificationVersion: '1.0' };
    const archive = await writeModelArchive(path.join(area.root, 'py.mar'), {
      handler: 'service:handle',
      manifest,
      files: { 'service.py': 'def handle(data, context):\n    return data\n' },
    });
    await expect(preparePythonTarget(archive, { cacheDir: area.cacheDir })).rejects.toMatchObject({ code: 'INTEGRITY_MISSING' });
    expect(await cached()).toEqual([]);
    const target = await preparePythonTarget(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    expect(target?.module).toBe('service');
  });
});
