import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveModelUrl } from '../src/management/model-url.js';
import { tempDir } from './helpers.js';

describe('resolveModelUrl', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let store = '';
  let outside = '';

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    store = path.join(dir, 'store');
    outside = path.join(dir, 'outside');
    await mkdir(path.join(store, 'folder-model'), { recursive: true });
    await mkdir(outside, { recursive: true });
    await writeFile(path.join(store, 'a.mar'), 'x');
    await writeFile(path.join(outside, 'evil.mar'), 'x');
    await symlink(path.join(outside, 'evil.mar'), path.join(store, 'link.mar'));
  });
  afterAll(() => cleanup());

  it('resolves a file and a folder inside the model store', async () => {
    await expect(resolveModelUrl('a.mar', { modelStore: store })).resolves.toBe(path.join(store, 'a.mar'));
    await expect(resolveModelUrl('folder-model', { modelStore: store })).resolves.toBe(path.join(store, 'folder-model'));
  });

  it.each(['http://example.com/a.mar', 'https://x/y.mar', 'file:///etc/passwd', 's3://bucket/a.mar'])('refuses the remote or scheme URL %s', async (url) => {
    await expect(resolveModelUrl(url, { modelStore: store })).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
  });

  it('refuses .. segments even when they stay inside the store', async () => {
    await expect(resolveModelUrl('../outside/evil.mar', { modelStore: store })).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
    await expect(resolveModelUrl('folder-model/../a.mar', { modelStore: store })).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
  });

  it('refuses an absolute path outside the store and a symbolic link leading out', async () => {
    await expect(resolveModelUrl(path.join(outside, 'evil.mar'), { modelStore: store })).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
    await expect(resolveModelUrl('link.mar', { modelStore: store })).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
  });

  it('accepts a path on the allow-list', async () => {
    await expect(resolveModelUrl(path.join(outside, 'evil.mar'), { modelStore: store, allowedPaths: [outside] })).resolves.toBe(path.join(outside, 'evil.mar'));
  });

  it('reports a missing archive in the store as ARCHIVE_NOT_FOUND', async () => {
    await expect(resolveModelUrl('missing.mar', { modelStore: store })).rejects.toMatchObject({ code: 'ARCHIVE_NOT_FOUND' });
  });

  it('refuses everything without a model store, and an empty url', async () => {
    await expect(resolveModelUrl('a.mar', {})).rejects.toMatchObject({ code: 'MODEL_URL_NOT_ALLOWED' });
    await expect(resolveModelUrl('', { modelStore: store })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
