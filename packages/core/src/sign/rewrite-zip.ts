import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import yauzl from 'yauzl';

import { ModelArchiveError } from '../errors.js';
import { ZipWriter } from '../zip/zip-writer.js';

/** What to add to a copied zip: entries are appended after the copied ones, replacing same-named originals. */
export interface ZipAddition {
  path: string;
  data: Buffer;
}

type RawEntry = yauzl.Entry & { getLastModDate(options?: { forceDosFormat?: boolean; timezone?: 'UTC' | 'local' }): Date };

const openZip = (path: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );

const rawStream = (zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> =>
  new Promise((resolve, reject) =>
    zip.openReadStream(entry, (entry.compressionMethod === 8 ? { decompress: false } : {}) as yauzl.ZipFileOptions, (err, stream) =>
      err ? reject(err) : resolve(stream),
    ),
  );

async function listEntries(zip: yauzl.ZipFile): Promise<RawEntry[]> {
  const entries: RawEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: RawEntry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
  return entries;
}

/**
 * Copies every entry of `sourcePath` into a new zip at `targetPath` without recompressing (raw deflate or stored
 * bytes, CRC, sizes, dates and permission bits kept), drops entries named by `additions`, then appends those.
 * Folder entries are not copied (the builder never writes them; entry paths keep the tree).
 */
export async function rewriteZip(sourcePath: string, targetPath: string, additions: readonly ZipAddition[], signal?: AbortSignal): Promise<void> {
  const replaced = new Set(additions.map((a) => a.path));
  const zip = await openZip(sourcePath);
  const handle = await open(targetPath, 'wx');
  try {
    const entries = await listEntries(zip);
    const last = entries.at(-1);
    const date = last?.getLastModDate({ forceDosFormat: true, timezone: 'UTC' }) ?? new Date(Date.UTC(1980, 0, 1));
    const writer = new ZipWriter(handle, targetPath, signal === undefined ? { date } : { date, signal });
    for (const entry of entries) {
      if (entry.fileName.endsWith('/') || replaced.has(entry.fileName)) continue;
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new ModelArchiveError('ENTRY_UNSUPPORTED_METHOD', `Entry ${entry.fileName} uses compression method ${entry.compressionMethod}`, {
          details: { entry: entry.fileName, method: entry.compressionMethod },
        });
      }
      const permissions = (entry.externalFileAttributes >>> 16) & 0o7777;
      await writer.addRaw(entry.fileName, {
        method: entry.compressionMethod === 8 ? 'deflate' : 'store',
        crc32: entry.crc32,
        size: entry.uncompressedSize,
        compressedSize: entry.compressedSize,
        data: await rawStream(zip, entry),
        date: entry.getLastModDate({ forceDosFormat: true, timezone: 'UTC' }),
        ...(permissions === 0 ? {} : { mode: permissions }),
      });
    }
    for (const addition of additions) await writer.addBuffer(addition.path, addition.data, { compression: 'store' });
    await writer.finish();
  } finally {
    zip.close();
    await handle.close();
  }
}
