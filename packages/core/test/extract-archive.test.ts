import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createIntegrityRecord, extractArchive, INTEGRITY_PATH, serializeIntegrityRecord } from '@model-archiver/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildTgz } from '../../../fixtures/hostile/tar-builder.mjs';
import { buildZip, validManifest, validZip } from '../../../fixtures/hostile/zip-builder.mjs';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-extract-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manifest = { name: 'MAR-INF/MANIFEST.json', data: validManifest() };
const write = async (name: string, bytes: Buffer): Promise<string> => {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
};
const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const withRecord = (files: { name: string; data: string }[], tamper?: (f: { path: string; size: number; sha256: string }[]) => void) => {
  const list = files.map((f) => ({ path: f.name, size: Buffer.byteLength(f.data), sha256: sha(f.data) }));
  tamper?.(list);
  return [...files, { name: INTEGRITY_PATH, data: serializeIntegrityRecord(createIntegrityRecord(list)) }];
};

describe('extractArchive', () => {
  it('extracts a zip into the target and leaves no temporary folder', async () => {
    const archive = await write('m.mar', validZip());
    const result = await extractArchive(archive, join(dir, 'out'));
    expect(result).toMatchObject({ dest: join(dir, 'out'), files: 4, skipped: [], verified: false });
    expect(result.bytes).toBe(3000 + 43 + 13 + Buffer.byteLength(validManifest()));
    expect(await readFile(join(dir, 'out', 'extra', 'labels.json'), 'utf8')).toBe('["cat","dog"]');
    expect(await readFile(join(dir, 'out', 'model.onnx'))).toEqual(Buffer.alloc(3000, 7));
    expect((await readdir(dir)).sort()).toEqual(['m.mar', 'out']);
  });

  it('extracts a tar.gz without its root folder and materialises in-archive links as copies', async () => {
    const archive = await write(
      'm.tar.gz',
      buildTgz([
        { name: 'm/a.txt', data: 'A' },
        { name: 'm/sub/link', type: '2', linkname: '../a.txt' },
        { name: 'm/hard', type: '1', linkname: 'm/a.txt' },
        { name: 'm/dangling', type: '2', linkname: 'nothing-here' },
        { ...manifest, name: 'm/MAR-INF/MANIFEST.json' },
      ]),
    );
    const result = await extractArchive(archive, join(dir, 'out'));
    expect(result.skipped).toEqual(['dangling']);
    for (const name of ['sub/link', 'hard']) {
      const info = await lstat(join(dir, 'out', name));
      expect(info.isFile()).toBe(true);
      expect(await readFile(join(dir, 'out', name), 'utf8')).toBe('A');
    }
  });

  it('keeps permission bits but drops setuid and keeps only the executable choice', async () => {
    const archive = await write('m.mar', buildZip([{ name: 'run.sh', data: '#!/bin/sh\n', mode: 0o104755 }, { name: 'data.txt', data: 'x', mode: 0o100600 }, manifest]));
    await extractArchive(archive, join(dir, 'out'));
    expect((await stat(join(dir, 'out', 'run.sh'))).mode & 0o7777).toBe(0o755 & ~process.umask());
    expect((await stat(join(dir, 'out', 'data.txt'))).mode & 0o7777).toBe(0o644 & ~process.umask());
  });

  it('refuses an existing target unless forced, and replaces it when forced', async () => {
    const archive = await write('m.mar', validZip());
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'keep.txt'), 'mine');
    await expect(extractArchive(archive, join(dir, 'out'))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(join(dir, 'out', 'keep.txt'), 'utf8')).toBe('mine');
    await extractArchive(archive, join(dir, 'out'), { force: true });
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['MAR-INF', 'extra', 'handler.py', 'model.onnx']);
    expect((await readdir(dir)).sort()).toEqual(['m.mar', 'out']);
  });

  it('removes the temporary folder and keeps the old target when an entry fails half-way', async () => {
    const archive = await write('m.mar', buildZip([{ name: 'a.txt', data: 'fine' }, { name: 'b.bin', data: 'bad', crc: 7 }, manifest]));
    await mkdir(join(dir, 'out'));
    await expect(extractArchive(archive, join(dir, 'out'), { force: true })).rejects.toMatchObject({ code: 'ENTRY_CRC_MISMATCH' });
    expect(await readdir(join(dir, 'out'))).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['m.mar', 'out']);
  });

  it('counts actual bytes against the total-size limit (hard links multiply bytes)', async () => {
    const archive = await write('m.tar.gz', buildTgz([{ name: 'a.bin', data: Buffer.alloc(6000, 1) }, { name: 'b', type: '1', linkname: 'a.bin' }, manifest]));
    await expect(extractArchive(archive, join(dir, 'out'), { limits: { maxTotalSize: 7000 } })).rejects.toMatchObject({ code: 'LIMIT_TOTAL_SIZE' });
    expect(await readdir(dir)).toEqual(['m.tar.gz']);
  });

  it('stops with ABORTED when the signal is aborted, leaving nothing', async () => {
    const archive = await write('m.mar', validZip());
    await expect(extractArchive(archive, join(dir, 'out'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await readdir(dir)).toEqual(['m.mar']);
  });

  it('refuses a folder archive whose symlink points outside it', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'A');
    await symlink('../../../etc/passwd', join(src, 'evil'));
    await expect(extractArchive(src, join(dir, 'out'))).rejects.toMatchObject({ code: 'ENTRY_SYMLINK_ESCAPES' });
    expect((await readdir(dir)).sort()).toEqual(['src']);
  });

  it('extracts a folder archive', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'MAR-INF'), { recursive: true });
    await writeFile(join(src, 'MAR-INF', 'MANIFEST.json'), validManifest());
    await writeFile(join(src, 'w.bin'), 'weights');
    const result = await extractArchive(src, join(dir, 'out'));
    expect(result.files).toBe(2);
    expect(await readFile(join(dir, 'out', 'w.bin'), 'utf8')).toBe('weights');
  });
});

describe('extractArchive with verifyIntegrity', () => {
  const files = [
    { name: 'model.onnx', data: 'onnx-bytes' },
    { name: 'MAR-INF/MANIFEST.json', data: validManifest() },
  ];

  it('verifies every file against MAR-INF/integrity.json while writing', async () => {
    const archive = await write('m.mar', buildZip(withRecord(files)));
    const result = await extractArchive(archive, join(dir, 'out'), { verifyIntegrity: true });
    expect(result.verified).toBe(true);
  });

  it('reports INTEGRITY_MISSING when the archive has no record', async () => {
    const archive = await write('m.mar', buildZip(files));
    await expect(extractArchive(archive, join(dir, 'out'), { verifyIntegrity: true })).rejects.toMatchObject({ code: 'INTEGRITY_MISSING' });
    expect(await readdir(dir)).toEqual(['m.mar']);
  });

  it('reports modified, missing and extra files with INTEGRITY_MISMATCH', async () => {
    const entries = withRecord(files, (list) => {
      (list[0] as { sha256: string }).sha256 = sha('something else');
      list.push({ path: 'gone.txt', size: 1, sha256: sha('g') });
    });
    const archive = await write('m.mar', buildZip([...entries, { name: 'smuggled.py', data: 'import os' }]));
    await expect(extractArchive(archive, join(dir, 'out'), { verifyIntegrity: true })).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
      details: { modified: ['model.onnx'], missing: ['gone.txt'], extra: ['smuggled.py'] },
    });
    expect(await readdir(dir)).toEqual(['m.mar']);
  });
});
