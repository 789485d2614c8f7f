import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { parseCli } from '../src/cli/parse-cli.js';
import { TokenAuthority } from '../src/http/token-auth.js';
import { tempDir } from './helpers.js';

interface KeyFile {
  management: { key: string; 'expiration time': string };
  inference: { key: string; 'expiration time': string };
  API: { key: string };
}

describe('TokenAuthority', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const keysOf = async (file: string): Promise<KeyFile> => JSON.parse(await readFile(file, 'utf8')) as KeyFile;

  it('writes three distinct random keys in the TorchServe layout, readable by the owner only', async () => {
    const file = path.join(dir, 'key_file.json');
    const authority = await TokenAuthority.create(file, 60, () => Date.parse('2026-01-01T00:00:00Z'));
    const keys = await keysOf(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(new Set([keys.management.key, keys.inference.key, keys.API.key]).size).toBe(3);
    for (const key of [keys.management.key, keys.inference.key, keys.API.key]) expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(keys.management['expiration time']).toBe('2026-01-01T01:00:00.000Z');
    expect(authority.keyFile).toBe(file);
    const other = await TokenAuthority.create(path.join(dir, 'other.json'), 60);
    expect((await keysOf(other.keyFile)).API.key).not.toBe(keys.API.key);
  });

  it('accepts only "Bearer <key>" with the key of the API asked for', async () => {
    const authority = await TokenAuthority.create(path.join(dir, 'k.json'), 60);
    const keys = await keysOf(authority.keyFile);
    expect(() => authority.check('inference', `Bearer ${keys.inference.key}`)).not.toThrow();
    expect(() => authority.check('inference', `bearer  ${keys.inference.key} `)).not.toThrow();
    expect(() => authority.check('management', `Bearer ${keys.management.key}`)).not.toThrow();
    expect(() => authority.check('api', `Bearer ${keys.API.key}`)).not.toThrow();
    const refused = [
      ['inference', undefined],
      ['inference', ''],
      ['inference', keys.inference.key],
      ['inference', `Basic ${keys.inference.key}`],
      ['inference', `Bearer ${keys.management.key}`],
      ['inference', `Bearer ${keys.inference.key.slice(0, -1)}`],
      ['inference', `Bearer ${keys.inference.key}x`],
      ['management', `Bearer ${keys.inference.key}`],
      ['management', `Bearer ${keys.API.key}`],
      ['api', `Bearer ${keys.management.key}`],
    ] as const;
    for (const [kind, header] of refused) expect(() => authority.check(kind, header)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
  });

  it('refuses expired management and inference keys; renewing replaces the key and its expiry in the file', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const authority = await TokenAuthority.create(path.join(dir, 'k.json'), 1, () => now);
    const before = await keysOf(authority.keyFile);
    now += 60_000;
    expect(() => authority.check('inference', `Bearer ${before.inference.key}`)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(() => authority.check('management', `Bearer ${before.management.key}`)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    expect(() => authority.check('api', `Bearer ${before.API.key}`)).not.toThrow();
    const { expiresAt } = await authority.renew('inference');
    const after = await keysOf(authority.keyFile);
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:02:00.000Z');
    expect(after.inference.key).not.toBe(before.inference.key);
    expect(after.management).toEqual(before.management);
    expect(after.API).toEqual(before.API);
    expect(() => authority.check('inference', `Bearer ${after.inference.key}`)).not.toThrow();
    expect((await stat(authority.keyFile)).mode & 0o777).toBe(0o600);
  });

  it('removes its key file on shutdown, but not one another server wrote since', async () => {
    const file = path.join(dir, 'k.json');
    const first = await TokenAuthority.create(file, 60);
    await first.removeKeyFile();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    const second = await TokenAuthority.create(file, 60);
    const third = await TokenAuthority.create(file, 60);
    await second.removeKeyFile();
    expect((await stat(file)).isFile()).toBe(true);
    await third.removeKeyFile();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('replaces a key file left by another server, but never overwrites another file', async () => {
    const file = path.join(dir, 'key_file.json');
    const first = await TokenAuthority.create(file, 60);
    expect(first.replacedKeyFile).toBe(false);
    const second = await TokenAuthority.create(file, 60);
    expect(second.replacedKeyFile).toBe(true);
    const keys = await keysOf(file);
    expect(() => second.check('api', `Bearer ${keys.API.key}`)).not.toThrow();
    expect(() => first.check('api', `Bearer ${keys.API.key}`)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID' }));
    for (const content of ['{"some": "settings"}', 'not json', '']) {
      const other = path.join(dir, 'notes.json');
      await writeFile(other, content);
      await expect(TokenAuthority.create(other, 60)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
      expect(await readFile(other, 'utf8')).toBe(content);
    }
  });

  it('fails with OUTPUT_WRITE_FAILED when the key file cannot be written', async () => {
    await expect(TokenAuthority.create(path.join(dir, 'missing', 'k.json'), 60)).rejects.toMatchObject({ code: 'OUTPUT_WRITE_FAILED' });
  });
});

describe('model-server token flags', () => {
  const parse = (argv: string[]): ReturnType<typeof parseCli> => parseCli(argv, '9.9.9', () => {});

  it('is on by default with key_file.json in the cwd, 60-minute keys', async () => {
    expect((await parse([]))?.options).toMatchObject({ tokenAuth: true, keyFile: 'key_file.json', tokenExpiration: 60 });
  });

  it('turns off with --disable-token-auth, --disable-token or TS_DISABLE_TOKEN_AUTHORIZATION=true', async () => {
    expect((await parse(['--disable-token-auth']))?.options.tokenAuth).toBe(false);
    expect((await parse(['--disable-token']))?.options.tokenAuth).toBe(false);
    try {
      vi.stubEnv('TS_DISABLE_TOKEN_AUTHORIZATION', 'true');
      expect((await parse([]))?.options.tokenAuth).toBe(false);
      vi.stubEnv('TS_DISABLE_TOKEN_AUTHORIZATION', 'false');
      expect((await parse([]))?.options.tokenAuth).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses a non-positive --token-expiration', async () => {
    await expect(parse(['--token-expiration', '0'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
