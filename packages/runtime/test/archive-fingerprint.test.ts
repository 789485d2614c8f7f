import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SETTLE_MS, fingerprintArchive, rememberKey, rememberedKey } from '../src/cache/archive-fingerprint.js';
import { materialiseArchive, type MaterialiseOptions } from '../src/cache/materialise.js';
import { tempArea, writeModelArchive, writeModelFolder, type TempArea } from './helpers.js';

let area: TempArea;
beforeEach(async () => {
  area = await tempArea();
});
afterEach(async () => {
  await area.cleanup();
});

const HANDLER = (word: string): string => `export const handle = (batch) => batch.map(() => ${JSON.stringify(word)});`;
// A clock past the settle time of the archives written by the test (their times are "now").
const later = (): number => Date.now() + SETTLE_MS + 1_000;
const options = (extra: Partial<MaterialiseOptions> = {}): MaterialiseOptions => ({ cacheDir: area.cacheDir, verifyIntegrity: true, clock: later, ...extra });
const writeArchive = (name: string, word: string): Promise<string> =>
  writeModelArchive(path.join(area.root, name), { handler: 'svc', files: { 'svc.mjs': HANDLER(word) }, integrity: true });
const handlerText = (modelDir: string): Promise<string> => readFile(path.join(modelDir, 'svc.mjs'), 'utf8');
const fingerprintFiles = async (): Promise<string[]> => readdir(path.join(area.cacheDir, 'paths')).catch(() => []);

describe('archive fingerprints', () => {
  it('reuses the checked copy of an unchanged archive file without opening the archive', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const first = await materialiseArchive(archive, options());
    expect(first.reused).toBe(false);
    expect(first.byFingerprint).toBeUndefined();
    expect(await fingerprintFiles()).toHaveLength(1);
    const second = await materialiseArchive(archive, options());
    expect(second).toMatchObject({ reused: true, byFingerprint: true, key: first.key, modelDir: first.modelDir });
    expect(second.manifest).toEqual(first.manifest);
    expect(second.modelConfig).toEqual(first.modelConfig);
  });

  it('does not remember an archive whose times are younger than the settle time ("racy" files)', async () => {
    const archive = await writeArchive('m.mar', 'one');
    await materialiseArchive(archive, options({ clock: Date.now }));
    expect(await fingerprintFiles()).toEqual([]);
    const again = await materialiseArchive(archive, options({ clock: Date.now }));
    expect(again.reused).toBe(true);
    expect(again.byFingerprint).toBeUndefined();
  });

  it('opens an archive replaced at the same path, whatever its content', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const first = await materialiseArchive(archive, options());
    // Same path, new content (put in place as deployments do, by rename): its inode and change time differ.
    const replacement = await writeArchive('next.mar', 'two');
    const before = await stat(archive);
    await rename(replacement, archive);
    expect((await stat(archive)).ino).not.toBe(before.ino);
    const second = await materialiseArchive(archive, options());
    expect(second.byFingerprint).toBeUndefined();
    expect(second.key).not.toBe(first.key);
    expect(await handlerText(second.modelDir)).toContain('two');
  });

  it('opens an archive rewritten in place (same inode)', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const first = await materialiseArchive(archive, options());
    const before = await stat(archive);
    await writeFile(archive, await readFile(await writeArchive('next.mar', 'two')));
    expect((await stat(archive)).ino).toBe(before.ino);
    const second = await materialiseArchive(archive, options());
    expect(second.byFingerprint).toBeUndefined();
    expect(second.key).not.toBe(first.key);
    expect(await handlerText(second.modelDir)).toContain('two');
  });

  it('falls back to the archive when the remembered copy fails its re-check', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const first = await materialiseArchive(archive, options());
    await writeFile(path.join(first.modelDir, 'svc.mjs'), HANDLER('tampered'));
    const second = await materialiseArchive(archive, options());
    expect(second).toMatchObject({ reused: false, key: first.key });
    expect(second.byFingerprint).toBeUndefined();
    expect(await handlerText(second.modelDir)).toContain('one');
  });

  it('falls back to the archive when the remembered key has no index', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const first = await materialiseArchive(archive, options());
    await writeFile(`${first.modelDir}.json`, 'not json');
    const second = await materialiseArchive(archive, options());
    expect(second.byFingerprint).toBeUndefined();
    expect(second.key).toBe(first.key);
    expect(await handlerText(second.modelDir)).toContain('one');
  });

  it('keeps verified and unverified loads apart', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const unverified = await materialiseArchive(archive, options({ verifyIntegrity: false }));
    const verified = await materialiseArchive(archive, options());
    expect(verified.key).not.toBe(unverified.key);
    expect(verified.byFingerprint).toBeUndefined();
    expect((await materialiseArchive(archive, options())).byFingerprint).toBe(true);
    expect((await materialiseArchive(archive, options({ verifyIntegrity: false }))).byFingerprint).toBe(true);
  });

  it('never fingerprints a folder (its stat does not change when a file inside does)', async () => {
    const folder = await writeModelFolder(path.join(area.root, 'folder'), { handler: 'svc', files: { 'svc.mjs': HANDLER('one') } });
    expect(await fingerprintArchive(folder)).toBeUndefined();
    await materialiseArchive(folder, options());
    await writeFile(path.join(folder, 'svc.mjs'), HANDLER('two'));
    const second = await materialiseArchive(folder, options());
    expect(second.byFingerprint).toBeUndefined();
    expect(await handlerText(second.modelDir)).toContain('two');
  });

  it('matches a remembered key only for the exact fingerprint and mode', async () => {
    const archive = await writeArchive('m.mar', 'one');
    const fingerprint = await fingerprintArchive(archive);
    expect(fingerprint).toBeDefined();
    const key = 'a'.repeat(64);
    await rememberKey(area.cacheDir, fingerprint!, true, key, later());
    expect(await rememberedKey(area.cacheDir, fingerprint!, true)).toBe(key);
    expect(await rememberedKey(area.cacheDir, fingerprint!, false)).toBeUndefined();
    for (const field of ['dev', 'ino', 'size', 'mtimeNs', 'ctimeNs'] as const) {
      expect(await rememberedKey(area.cacheDir, { ...fingerprint!, [field]: `${fingerprint![field]}1` }, true)).toBeUndefined();
    }
  });
});
