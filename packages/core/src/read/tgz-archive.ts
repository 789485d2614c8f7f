import { Readable } from 'node:stream';

import type { ReadEntry } from 'tar';

import { ModelArchiveError } from '../errors.js';
import { LEGACY_MANIFEST_PATH, MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import type { ArchiveEntryInfo, EntryType, ReadLimits } from './archive-types.js';
import { BaseArchive, type FileVisitor } from './base-archive.js';
import { checkedEntryStream } from './entry-stream.js';
import { normalizeEntryPath } from './safe-path.js';
import { scanTgz } from './tgz-scan.js';

/** Bodies up to this size are kept from the listing pass, so reading a manifest does not inflate the archive again. */
const CACHE_ENTRY_BYTES = 1024 * 1024;
const CACHE_TOTAL_BYTES = 16 * 1024 * 1024;

const TYPES: Readonly<Record<string, EntryType>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
};

interface Listed {
  info: ArchiveEntryInfo;
  /** Position among the tar entries (meta entries excluded). */
  index: number;
}

/** The single root folder to strip, if every entry lives under one (and it is not `MAR-INF` itself). */
function findRoot(listed: readonly Listed[]): string | undefined {
  const firsts = new Set(listed.map((l) => l.info.path.split('/')[0]));
  if (firsts.size !== 1) return undefined;
  const [root] = firsts;
  if (root === undefined || root === 'MAR-INF') return undefined;
  const ok = listed.every((l) => l.info.path.startsWith(`${root}/`) || (l.info.path === root && l.info.type === 'directory'));
  const paths = new Set(listed.map((l) => l.info.path));
  return ok && !paths.has(MANIFEST_PATH) && !paths.has(LEGACY_MANIFEST_PATH) ? root : undefined;
}

/** A `.tar.gz`, listed by one sequential pass (gzip cannot be indexed); the single root folder is stripped. */
export class TgzArchive extends BaseArchive {
  readonly format = 'tgz' as const;
  readonly root?: string;
  readonly #index: Map<string, number>;
  readonly #cache: Map<number, Buffer>;

  private constructor(path: string, listed: Listed[], size: number, limits: ReadLimits, root: string | undefined, cache: Map<number, Buffer>) {
    super(path, listed.map((l) => l.info), size, limits);
    if (root !== undefined) this.root = root;
    this.#index = new Map(listed.map((l) => [l.info.path, l.index]));
    this.#cache = cache;
  }

  /** Lists a `.tar.gz`: names and limits are checked, small bodies are kept. */
  static async open(path: string, fileSize: number, limits: ReadLimits, signal?: AbortSignal): Promise<TgzArchive> {
    const listed: Listed[] = [];
    const cache = new Map<number, Buffer>();
    let cached = 0;
    let total = 0;
    await scanTgz(path, fileSize, limits, (entry, index) => {
      const info = describeTarEntry(entry, path, limits);
      if (info === undefined) {
        entry.resume();
        return;
      }
      total += info.type === 'file' ? info.size : 0;
      if (total > limits.maxTotalSize) {
        throw new ModelArchiveError('LIMIT_TOTAL_SIZE', `${path} holds ${total}+ bytes; the limit is ${limits.maxTotalSize}`, {
          details: { archive: path, declared: total, limit: limits.maxTotalSize },
        });
      }
      listed.push({ info, index });
      if (info.type === 'file' && info.size <= CACHE_ENTRY_BYTES && cached + info.size <= CACHE_TOTAL_BYTES) {
        cached += info.size;
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        return new Promise<void>((resolve) => {
          entry.on('end', () => {
            cache.set(index, Buffer.concat(chunks));
            resolve();
          });
          // A failed scan destroys the entry: settle so the scan can report its error.
          entry.on('error', () => resolve());
          entry.on('close', () => resolve());
        });
      }
      entry.resume();
      return undefined;
    }, signal);
    const root = findRoot(listed);
    const kept = root === undefined ? listed : listed.filter((l) => l.info.path !== root).map((l) => strip(l, root));
    return new TgzArchive(path, kept, fileSize, limits, root, cache);
  }

  protected async openFile(info: ArchiveEntryInfo): Promise<Readable> {
    const index = this.#index.get(info.path);
    if (index === undefined) {
      throw new ModelArchiveError('ENTRY_NOT_FOUND', `No entry ${info.path} in ${this.path}`, { details: { archive: this.path, entry: info.path } });
    }
    const checks = { path: info.path, size: info.size };
    const body = this.#cache.get(index);
    if (body !== undefined) return checkedEntryStream(Readable.from([body]), this.path, checks, this.signal);
    return new Promise<Readable>((resolve, reject) => {
      scanTgz(this.path, this.archiveSize, this.limits, (entry, n) => {
        if (n !== index) {
          entry.resume();
          return undefined;
        }
        const checked = checkedEntryStream(entry as unknown as Readable, this.path, checks, this.signal);
        resolve(checked);
        return new Promise<'stop'>((done) => checked.on('close', () => done('stop')));
      }, this.signal).then(
        () => reject(new ModelArchiveError('ENTRY_NOT_FOUND', `Entry ${info.path} vanished from ${this.path}`, { details: { archive: this.path, entry: info.path } })),
        (error: unknown) => reject(error),
      );
    });
  }

  async forEachFile(visit: FileVisitor): Promise<void> {
    const byIndex = new Map<number, ArchiveEntryInfo>();
    for (const [path, index] of this.#index) {
      const info = this.entry(path);
      if (info?.type === 'file') byIndex.set(index, info);
    }
    await scanTgz(this.path, this.archiveSize, this.limits, async (entry, n) => {
      const info = byIndex.get(n);
      if (info === undefined) {
        entry.resume();
        return;
      }
      await visit(info, checkedEntryStream(entry as unknown as Readable, this.path, { path: info.path, size: info.size }, this.signal));
    }, this.signal);
  }

  async close(): Promise<void> {
    this.#cache.clear();
  }
}

function strip(listed: Listed, root: string): Listed {
  const info = { ...listed.info, path: listed.info.path.slice(root.length + 1) };
  if (info.type === 'hardlink' && info.linkTarget !== undefined) {
    const target = info.linkTarget.split('/').filter((s) => s !== '' && s !== '.').join('/');
    if (target.startsWith(`${root}/`)) info.linkTarget = target.slice(root.length + 1);
  }
  return { ...listed, info };
}

/** Describes one tar entry after the name checks; `undefined` for the root (`./`) folder entry. */
function describeTarEntry(entry: ReadEntry, archive: string, limits: ReadLimits): ArchiveEntryInfo | undefined {
  const path = normalizeEntryPath(entry.path, limits);
  const type: EntryType = entry.ignore ? 'special' : (TYPES[entry.type] ?? 'special');
  if (path === '') {
    if (type === 'directory') return undefined;
    throw new ModelArchiveError('ENTRY_PATH_TRAVERSAL', `Entry name ${JSON.stringify(entry.path)} names the archive root`, {
      details: { archive, entry: entry.path },
    });
  }
  const size = type === 'file' ? entry.size : 0;
  const info: ArchiveEntryInfo = { path, type, size, compressedSize: size, method: 'tar' };
  if (entry.mode !== undefined) info.mode = entry.mode;
  if (entry.mtime !== undefined) info.mtime = entry.mtime;
  if ((type === 'symlink' || type === 'hardlink') && entry.linkpath !== undefined) info.linkTarget = entry.linkpath;
  return info;
}
