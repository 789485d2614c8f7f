import { appendFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RUNTIME_VERSION, loadModel } from '@model-archiver/runtime';

import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
beforeEach(async () => {
  area = await tempArea();
});
afterEach(async () => {
  await area.cleanup();
});

const HANDLER = 'export const handle = (batch) => batch.map(() => "original");';

const answer = async (archive: string, options: { verifyIntegrity?: boolean } = {}): Promise<{ body: unknown; modelDir: string }> => {
  const model = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true, ...options });
  const [response] = await model.handle([{ body: 'x' }]);
  await model.close();
  return { body: response?.body, modelDir: model.modelDir };
};

const inode = async (file: string): Promise<number> => (await stat(file)).ino;

describe('model cache', () => {
  it('materialises an archive under its SHA-256 and reuses the checked copy', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER }, integrity: true });
    const first = await answer(archive);
    expect(path.dirname(first.modelDir)).toBe(area.cacheDir);
    expect(path.basename(first.modelDir)).toMatch(/^[0-9a-f]{64}$/);
    const before = await inode(path.join(first.modelDir, 'svc.mjs'));
    const second = await answer(archive);
    expect(second.modelDir).toBe(first.modelDir);
    expect(await inode(path.join(second.modelDir, 'svc.mjs'))).toBe(before);
    expect((await readdir(area.cacheDir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('lets concurrent loads of one archive share a single good copy', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER }, integrity: true });
    const results = await Promise.all([answer(archive), answer(archive), answer(archive)]);
    expect(results.map((r) => r.body)).toEqual(['original', 'original', 'original']);
    expect(new Set(results.map((r) => r.modelDir)).size).toBe(1);
    // ('paths' holds remembered archive fingerprints, written only for archives older than a couple of seconds.)
    const listing = (await readdir(area.cacheDir)).filter((n) => n !== 'paths').sort();
    expect(listing).toEqual([path.basename(results[0]!.modelDir), `${path.basename(results[0]!.modelDir)}.json`]);
  });

  it('re-extracts a cached copy whose file was modified', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const { modelDir } = await answer(archive);
    await writeFile(path.join(modelDir, 'svc.mjs'), 'export const handle = (batch) => batch.map(() => "tampered");');
    const again = await answer(archive);
    expect(again.body).toBe('original');
  });

  it('re-extracts a cached copy that gained a file', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const { modelDir } = await answer(archive);
    await writeFile(path.join(modelDir, 'svc.js'), 'export const handle = () => ["planted"];');
    await answer(archive);
    await expect(stat(path.join(modelDir, 'svc.js'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('re-extracts a cached copy whose index was damaged', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const { modelDir } = await answer(archive);
    await appendFile(`${modelDir}.json`, 'garbage');
    await expect(answer(archive)).resolves.toMatchObject({ body: 'original' });
  });

  it('refuses an archive whose entries differ from its integrity record, unless verification is off', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'bad.mar'), {
      handler: 'svc',
      files: { 'svc.mjs': HANDLER },
      integrity: true,
      tamper: { 'svc.mjs': 'export const handle = (batch) => batch.map(() => "evil");' },
    });
    await expect(answer(archive)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    expect((await readdir(area.cacheDir)).filter((n) => !n.endsWith('.json'))).toEqual([]);
    await expect(answer(archive, { verifyIntegrity: false })).resolves.toMatchObject({ body: 'evil' });
    // A copy cached without verification is not reused once verification is asked for again.
    await expect(answer(archive)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('refuses a tampered archive even when the genuine one with the same record is cached', async () => {
    const spec = { handler: 'svc', files: { 'svc.mjs': HANDLER }, integrity: true };
    const genuine = await writeModelArchive(path.join(area.root, 'genuine.mar'), spec);
    const tampered = await writeModelArchive(path.join(area.root, 'tampered.mar'), {
      ...spec,
      tamper: { 'svc.mjs': 'export const handle = (batch) => batch.map(() => "evil!!!!");' },
    });
    await expect(answer(genuine)).resolves.toMatchObject({ body: 'original' });
    await expect(answer(tampered)).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('loads an archive without an integrity record', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'plain.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    await expect(answer(archive)).resolves.toMatchObject({ body: 'original' });
  });

  it('reports a missing archive and a file that is not an archive', async () => {
    await expect(answer(path.join(area.root, 'nope.mar'))).rejects.toMatchObject({ code: 'ARCHIVE_NOT_FOUND' });
    await writeFile(path.join(area.root, 'junk.mar'), 'not a zip at all');
    await expect(answer(path.join(area.root, 'junk.mar'))).rejects.toMatchObject({ code: 'ARCHIVE_FORMAT_UNKNOWN' });
  });

  it('stops loading when the signal is aborted', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'm.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER } });
    const controller = new AbortController();
    controller.abort();
    await expect(loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('reuses the manifest validated at extraction on a cache hit, only when this runtime version wrote it', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'named.mar'), { handler: 'svc', files: { 'svc.mjs': HANDLER }, integrity: true });
    const { modelDir } = await answer(archive);
    const indexFile = `${modelDir}.json`;
    const index = JSON.parse(await readFile(indexFile, 'utf8'));
    expect(index.manifestBy).toBe(RUNTIME_VERSION);
    index.manifest.manifest.model.modelName = 'from-the-index';
    await writeFile(indexFile, JSON.stringify(index));
    const hit = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    await hit.close();
    expect(hit.name).toBe('from-the-index');
    // A copy that fails its re-check discards its index: the manifest is read from the archive again.
    await writeFile(path.join(modelDir, 'svc.mjs'), 'export const handle = (batch) => batch.map(() => "changed");');
    const reextracted = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    await reextracted.close();
    expect(reextracted.name).toBe('test-model');
    index.manifest.manifest.model.modelName = 'from-the-index';
    await writeFile(indexFile, JSON.stringify({ ...index, manifestBy: '0.0.0-other' }));
    const reread = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    await reread.close();
    expect(reread.name).toBe('test-model');
    // ...and that hit brings the index up to date, so the next hit skips the validation again.
    const upgraded = JSON.parse(await readFile(indexFile, 'utf8'));
    expect(upgraded.manifestBy).toBe(RUNTIME_VERSION);
    expect(upgraded.manifest.manifest.model.modelName).toBe('test-model');
    expect(upgraded.files).toEqual(index.files);
  });

  it('keeps the parsed model config in the index for cache hits, unless it is not plain JSON', async () => {
    const configHandler = 'export const handle = (batch, context) => batch.map(() => context.modelConfig);';
    const load = async (name: string, yaml: string): Promise<{ body: unknown; index: Record<string, unknown>; indexFile: string; archive: string }> => {
      const archive = await writeModelArchive(path.join(area.root, `${name}.mar`), {
        handler: 'svc',
        configFile: 'model-config.yaml',
        files: { 'svc.mjs': configHandler, 'model-config.yaml': yaml },
        integrity: true,
      });
      const { body, modelDir } = await answer(archive);
      const indexFile = `${modelDir}.json`;
      return { body, index: JSON.parse(await readFile(indexFile, 'utf8')), indexFile, archive };
    };
    const plain = await load('plain-config', 'threshold: 0.5\nlabels: [a, b]\n');
    expect(plain.body).toEqual({ threshold: 0.5, labels: ['a', 'b'] });
    expect(plain.index['modelConfig']).toEqual({ threshold: 0.5, labels: ['a', 'b'] });
    await writeFile(plain.indexFile, JSON.stringify({ ...plain.index, modelConfig: { threshold: 0.9 } }));
    expect((await answer(plain.archive)).body).toEqual({ threshold: 0.9 });

    const infinite = await load('inf-config', 'limit: .inf\n');
    expect(infinite.body).toEqual({ limit: Infinity });
    expect(infinite.index['modelConfig']).toBeUndefined();
    expect((await answer(infinite.archive)).body).toEqual({ limit: Infinity });
  });
});
