import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Committed copies of the archives the real MMS and TorchServe archivers made (fixtures/reference-fixture/README.md). */
const REFERENCE = fileURLToPath(new URL('../../../fixtures/reference-fixture/cases', import.meta.url));
const here = existsSync(REFERENCE);

/** Every archive file the reference tools made (`*.mar`, `*.tar.gz`). */
const archives = here
  ? readdirSync(REFERENCE, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(REFERENCE, d.name)).filter((f) => /\.(mar|tar\.gz)$/.test(f)).map((f) => join(d.name, f)))
  : [];
/** `no-archive` outputs are recorded as listings: rebuilt as folders (names, sizes, the verbatim manifest). */
const folderCases = here ? ['mms_noarchive', 'ts_noarchive'].filter((c) => existsSync(join(REFERENCE, c, 'listing.txt'))) : [];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-read-ref-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rebuildFolder(name: string): Promise<{ root: string; files: string[] }> {
  const listing = readFileSync(join(REFERENCE, name, 'listing.txt'), 'utf8');
  const root = join(dir, name);
  const files: string[] = [];
  const manifest = /## MAR-INF\/MANIFEST\.json \(verbatim[^\n]*\n([\s\S]*?)\n--- /.exec(listing)?.[1] ?? '';
  for (const line of listing.split('\n')) {
    const m = /^([fd]) (\d+) (\d+) ?(.*)$/.exec(line);
    if (!m || m[4] === undefined || m[4] === '') continue;
    const [, kind, , size, rel] = m as unknown as [string, string, string, string, string];
    const target = join(root, rel);
    if (kind === 'd') {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, rel === 'MAR-INF/MANIFEST.json' ? manifest : Buffer.alloc(Number(size), 0x78));
    files.push(rel);
  }
  return { root, files };
}

describe.skipIf(!here)('reference archives', () => {
  it('finds the reference archives (zips and tar.gz)', () => {
    expect(archives.length).toBeGreaterThanOrEqual(10);
  });

  it.each(archives)('opens, lists, streams and parses the manifest of %s', async (rel) => {
    const archive = await openArchive(join(REFERENCE, rel));
    try {
      expect(archive.format).toBe(rel.endsWith('.tar.gz') ? 'tgz' : 'zip');
      if (archive.format === 'tgz') expect(archive.root).toBe('mymodel');
      expect(archive.entry('MAR-INF/MANIFEST.json')?.type).toBe('file');
      for (const entry of archive.entries) {
        if (entry.type !== 'file') continue;
        const bytes = await archive.readEntry(entry.path);
        expect(bytes.length).toBe(entry.size);
      }
      const { flavour, manifest, path } = await archive.readManifest();
      expect(path).toBe('MAR-INF/MANIFEST.json');
      expect(flavour).toBe(rel.startsWith('ts_') ? 'torchserve' : 'mms');
      expect(manifest).toHaveProperty('model');
    } finally {
      await archive.close();
    }
  });

  it.each(folderCases)('opens the no-archive folder of %s rebuilt from its listing', async (name) => {
    const { root, files } = await rebuildFolder(name);
    const archive = await openArchive(root);
    try {
      expect(archive.format).toBe('folder');
      expect(archive.entries.filter((e) => e.type === 'file').map((e) => e.path).sort()).toEqual([...files].sort());
      const { flavour } = await archive.readManifest();
      expect(flavour).toBe(name.startsWith('ts_') ? 'torchserve' : 'mms');
    } finally {
      await archive.close();
    }
  });

  it('reads the MMS tar.gz symlink entry through to the file it points at', async () => {
    const archive = await openArchive(join(REFERENCE, 'mms_tgz', 'mymodel.tar.gz'));
    try {
      expect(archive.entry('link_to_extra.txt')).toMatchObject({ type: 'symlink', linkTarget: 'extra.txt' });
      expect(await archive.readEntry('link_to_extra.txt')).toEqual(await archive.readEntry('extra.txt'));
    } finally {
      await archive.close();
    }
  });
});
