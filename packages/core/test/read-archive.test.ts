import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_READ_LIMITS, openArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildTgz } from '../../../fixtures/hostile/tar-builder.mjs';
import { buildZip, validManifest, validZip } from '../../../fixtures/hostile/zip-builder.mjs';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = async (bytes: Buffer, ext = '.mar'): Promise<string> => {
  n += 1;
  const path = join(dir, `a${n}${ext}`);
  await writeFile(path, bytes);
  return path;
};
const manifest = { name: 'MAR-INF/MANIFEST.json', data: validManifest() };
const rejectsWith = async (promise: Promise<unknown>, code: string): Promise<void> => {
  await expect(promise).rejects.toMatchObject({ code });
};

describe('openArchive on zips', () => {
  it('lists entries from the central directory with their sizes, methods and CRCs', async () => {
    const archive = await openArchive(await write(validZip()));
    try {
      expect(archive.format).toBe('zip');
      expect(archive.entries.map((e) => e.path)).toEqual(['model.onnx', 'handler.py', 'extra/labels.json', 'MAR-INF/MANIFEST.json']);
      expect(archive.entry('model.onnx')).toMatchObject({ type: 'file', size: 3000, compressedSize: 3000, method: 'store', mode: 0o644 });
      expect(archive.entry('handler.py')?.method).toBe('deflate');
      expect(typeof archive.entry('handler.py')?.crc32).toBe('number');
      expect(archive.entry('missing')).toBeUndefined();
      expect((await archive.readEntry('extra/labels.json')).toString()).toBe('["cat","dog"]');
      const { flavour, manifest: parsed } = await archive.readManifest();
      expect(flavour).toBe('torchserve');
      expect(parsed).toMatchObject({ model: { modelName: 'mymodel' } });
    } finally {
      await archive.close();
      await archive.close();
    }
  });

  it('streams an entry with openEntry', async () => {
    const archive = await openArchive(await write(validZip()));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await archive.openEntry('model.onnx')) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(3000, 7));
    } finally {
      await archive.close();
    }
  });

  it('reads the manifest without touching other payloads (a corrupt payload does not matter)', async () => {
    const bytes = buildZip([{ name: 'weights.bin', data: Buffer.alloc(100_000, 1), method: 0, crc: 1 }, manifest]);
    const archive = await openArchive(await write(bytes));
    try {
      expect((await archive.readManifest()).flavour).toBe('torchserve');
      await rejectsWith(archive.readEntry('weights.bin'), 'ENTRY_CRC_MISMATCH');
    } finally {
      await archive.close();
    }
  });

  it('lists folder entries as directories and skips the root entry', async () => {
    const bytes = buildZip([{ name: './', data: '', method: 0, mode: 0o040755 }, { name: 'sub/', data: '', method: 0, mode: 0o040755 }, manifest]);
    const archive = await openArchive(await write(bytes));
    try {
      expect(archive.entries.map((e) => [e.path, e.type])).toEqual([
        ['sub', 'directory'],
        ['MAR-INF/MANIFEST.json', 'file'],
      ]);
      await rejectsWith(archive.openEntry('sub'), 'ENTRY_NOT_FOUND');
      await rejectsWith(archive.openEntry('nope'), 'ENTRY_NOT_FOUND');
    } finally {
      await archive.close();
    }
  });

  it('reads an in-archive zip symlink through to its target', async () => {
    const bytes = buildZip([{ name: 'a.txt', data: 'hello' }, { name: 'link', data: 'a.txt', mode: 0o120777 }, manifest]);
    const archive = await openArchive(await write(bytes));
    try {
      expect(archive.entry('link')?.type).toBe('symlink');
      expect((await archive.readEntry('link')).toString()).toBe('hello');
    } finally {
      await archive.close();
    }
  });

  it('reads a zip with ZIP64 end records and reports data-descriptor entries', async () => {
    const bytes = buildZip([{ name: 'a.txt', data: 'hello', flags: 0x8 }, manifest], { zip64Disks: 1 });
    const archive = await openArchive(await write(bytes));
    try {
      expect(archive.entry('a.txt')?.dataDescriptor).toBe(true);
      expect((await archive.readEntry('a.txt')).toString()).toBe('hello');
    } finally {
      await archive.close();
    }
  });

  it('reports MANIFEST_MISSING when MAR-INF/MANIFEST.json is a folder entry', async () => {
    const archive = await openArchive(await write(buildZip([{ name: 'MAR-INF/MANIFEST.json/', data: '', method: 0, mode: 0o040755 }])));
    try {
      await rejectsWith(archive.readManifest(), 'MANIFEST_MISSING');
    } finally {
      await archive.close();
    }
  });

  it('reads a legacy MMS 0.x top-level MANIFEST.json', async () => {
    const legacy = { Engine: { MXNet: 0.12 }, 'Model-Archive-Version': 0.1, Model: { 'Model-Name': 'squeezenet', Service: 'svc.py' } };
    const archive = await openArchive(await write(buildZip([{ name: 'MANIFEST.json', data: JSON.stringify(legacy) }, { name: 'svc.py', data: '' }])));
    try {
      const read = await archive.readManifest();
      expect(read).toMatchObject({ flavour: 'legacy-mms', path: 'MANIFEST.json' });
      expect(read.raw).toBe(JSON.stringify(legacy));
    } finally {
      await archive.close();
    }
  });
});

describe('duplicate MAR-INF/MANIFEST.json (torch-model-archiver with an extra folder holding MAR-INF/)', () => {
  const stale = { name: 'MAR-INF/MANIFEST.json', data: '{"runtime": "python", "model": {"modelName": "stale", "handler": "h"}}' };

  it('takes the last copy in a zip, as TorchServe and Python zipfile do, and lists the others as shadowed', async () => {
    const archive = await openArchive(await write(buildZip([{ name: 'a.txt', data: 'A' }, stale, manifest])));
    try {
      expect(archive.entries.map((e) => e.path)).toEqual(['a.txt', 'MAR-INF/MANIFEST.json']);
      expect(archive.shadowedManifests.map((e) => e.size)).toEqual([stale.data.length]);
      expect((await archive.readEntry('MAR-INF/MANIFEST.json')).toString()).toBe(validManifest());
      expect((await archive.readManifest()).manifest).toMatchObject({ model: { modelName: 'mymodel' } });
    } finally {
      await archive.close();
    }
  });

  it('takes the last copy in a tar.gz too', async () => {
    const archive = await openArchive(await write(buildTgz([{ name: 'a.txt', data: 'A' }, stale, manifest]), '.tar.gz'));
    try {
      expect(archive.shadowedManifests).toHaveLength(1);
      expect((await archive.readEntry('MAR-INF/MANIFEST.json')).toString()).toBe(validManifest());
    } finally {
      await archive.close();
    }
  });

  it('has no shadowed manifests in an ordinary archive, and still refuses other duplicate names', async () => {
    const archive = await openArchive(await write(validZip()));
    try {
      expect(archive.shadowedManifests).toEqual([]);
    } finally {
      await archive.close();
    }
    await rejectsWith(openArchive(await write(buildZip([{ name: 'MAR-INF/integrity.json', data: '{}' }, { name: 'MAR-INF/integrity.json', data: '{}' }, manifest]))), 'ENTRY_DUPLICATE');
  });
});

describe('openArchive on tar.gz', () => {
  it('strips the single root folder', async () => {
    const archive = await openArchive(await write(buildTgz([{ name: 'm/', type: '5' }, { name: 'm/a.txt', data: 'A' }, { ...manifest, name: 'm/MAR-INF/MANIFEST.json' }]), '.tar.gz'));
    try {
      expect(archive.format).toBe('tgz');
      expect(archive.root).toBe('m');
      expect(archive.entries.map((e) => e.path)).toEqual(['a.txt', 'MAR-INF/MANIFEST.json']);
      expect((await archive.readManifest()).flavour).toBe('torchserve');
    } finally {
      await archive.close();
    }
  });

  it('reads a tar.gz without a single root folder, with ./ prefixes', async () => {
    const archive = await openArchive(await write(buildTgz([{ name: './', type: '5' }, { name: './a.txt', data: 'A' }, { ...manifest, name: './MAR-INF/MANIFEST.json' }]), '.tar.gz'));
    try {
      expect(archive.root).toBeUndefined();
      expect(archive.entries.map((e) => e.path)).toEqual(['a.txt', 'MAR-INF/MANIFEST.json']);
    } finally {
      await archive.close();
    }
  });

  it('does not take MAR-INF for a root folder', async () => {
    const archive = await openArchive(await write(buildTgz([manifest]), '.tar.gz'));
    try {
      expect(archive.root).toBeUndefined();
      expect(archive.entry('MAR-INF/MANIFEST.json')?.type).toBe('file');
    } finally {
      await archive.close();
    }
  });

  it('streams a large entry by reading the archive again', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 2654435761) >>> 24;
    const archive = await openArchive(await write(buildTgz([{ name: 'm/big.bin', data: big }, { ...manifest, name: 'm/MAR-INF/MANIFEST.json' }]), '.tar.gz'));
    try {
      const read = await archive.readEntry('big.bin');
      expect(read.length).toBe(big.length);
      expect(read.equals(big)).toBe(true);
    } finally {
      await archive.close();
    }
  });
});

describe('openArchive on folders', () => {
  it('walks with lstat, reports symlinks and never reads through one that leaves the folder', async () => {
    const root = join(dir, 'folder-model');
    await mkdir(join(root, 'MAR-INF'), { recursive: true });
    await writeFile(join(root, 'MAR-INF', 'MANIFEST.json'), validManifest());
    await writeFile(join(root, 'a.txt'), 'A');
    await symlink('a.txt', join(root, 'inside'));
    await symlink('/etc/hostname', join(root, 'outside'));
    const archive = await openArchive(root);
    try {
      expect(archive.format).toBe('folder');
      expect(archive.entry('outside')).toMatchObject({ type: 'symlink', linkTarget: '/etc/hostname' });
      expect((await archive.readEntry('inside')).toString()).toBe('A');
      await rejectsWith(archive.readEntry('outside'), 'ENTRY_SYMLINK_ESCAPES');
      expect((await archive.readManifest()).flavour).toBe('torchserve');
    } finally {
      await archive.close();
    }
  });

  it.skipIf(spawnSync('mkfifo', ['--version']).status !== 0)('lists a FIFO as a special entry and refuses to read it', async () => {
    const root = join(dir, 'fifo-model');
    await mkdir(root);
    spawnSync('mkfifo', [join(root, 'pipe')]);
    const archive = await openArchive(root);
    try {
      expect(archive.entry('pipe')?.type).toBe('special');
      await rejectsWith(archive.readEntry('pipe'), 'ENTRY_SPECIAL_FILE');
    } finally {
      await archive.close();
    }
  });

  it('refuses a file name with a backslash', async () => {
    const root = join(dir, 'backslash-model');
    await mkdir(root);
    await writeFile(join(root, 'a\\b'), 'x');
    await rejectsWith(openArchive(root), 'ENTRY_BACKSLASH_PATH');
  });
});

describe('openArchive errors and limits', () => {
  it('reports a missing path', async () => {
    await rejectsWith(openArchive(join(dir, 'does-not-exist.mar')), 'ARCHIVE_NOT_FOUND');
  });

  it('reports an empty file and an unknown format', async () => {
    await rejectsWith(openArchive(await write(Buffer.alloc(0))), 'ARCHIVE_FORMAT_UNKNOWN');
    await rejectsWith(openArchive(await write(Buffer.from('Rar!\u001a\u0007\u0000'))), 'ARCHIVE_FORMAT_UNKNOWN');
  });

  it('refuses a limit that is not a positive number', async () => {
    await rejectsWith(openArchive(await write(validZip()), { limits: { maxEntries: -1 } }), 'INVALID_OPTION');
  });

  it('has safe defaults', () => {
    expect(DEFAULT_READ_LIMITS).toEqual({ maxTotalSize: 64 * 1024 ** 3, maxEntries: 100_000, maxCompressionRatio: 200, maxPathLength: 4096, maxPathDepth: 64 });
  });

  it('applies limits given as options', async () => {
    const path = await write(validZip());
    await rejectsWith(openArchive(path, { limits: { maxEntries: 3 } }), 'LIMIT_ENTRY_COUNT');
    await rejectsWith(openArchive(path, { limits: { maxTotalSize: 100 } }), 'LIMIT_TOTAL_SIZE');
    await rejectsWith(openArchive(path, { limits: { maxPathDepth: 1 } }), 'LIMIT_PATH_LENGTH');
  });
});
