import { constants } from 'node:fs';
import { lstat, open, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { ModelArchiveError } from '../errors.js';
import type { ArchiveEntryInfo, EntryType, ReadLimits } from './archive-types.js';
import { BaseArchive, type FileVisitor, visitFiles } from './base-archive.js';
import { checkedEntryStream } from './entry-stream.js';
import { toArchiveError } from './error-map.js';
import { normalizeEntryPath } from './safe-path.js';

const typeOf = (stats: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType =>
  stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : 'special';

/**
 * A model folder (`no-archive` output). Walked with `lstat`: symlinks are listed as such and never followed, and
 * files are opened with `O_NOFOLLOW`, so a link swapped in after listing is refused rather than read.
 */
export class FolderArchive extends BaseArchive {
  readonly format = 'folder' as const;

  private constructor(path: string, entries: ArchiveEntryInfo[], size: number, limits: ReadLimits) {
    super(path, entries, size, limits);
  }

  /** Walks the folder (sorted, byte order) applying the same name checks and limits as archives. */
  static async open(path: string, limits: ReadLimits): Promise<FolderArchive> {
    const entries: ArchiveEntryInfo[] = [];
    let total = 0;
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const names: string[] = [];
      for await (const dirent of await opendir(dir)) names.push(dirent.name);
      names.sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1));
      for (const name of names) {
        const rel = prefix === '' ? name : `${prefix}/${name}`;
        const canonical = normalizeEntryPath(rel, limits);
        const abs = join(dir, name);
        const stats = await lstat(abs);
        const type = typeOf(stats);
        const size = type === 'file' ? stats.size : 0;
        const info: ArchiveEntryInfo = { path: canonical, type, size, compressedSize: size, method: 'file', mode: stats.mode & 0o7777, mtime: stats.mtime };
        if (type === 'symlink') info.linkTarget = await readlink(abs);
        entries.push(info);
        if (entries.length > limits.maxEntries) {
          throw new ModelArchiveError('LIMIT_ENTRY_COUNT', `${path} has more than ${limits.maxEntries} entries`, { details: { archive: path, limit: limits.maxEntries } });
        }
        total += size;
        if (total > limits.maxTotalSize) {
          throw new ModelArchiveError('LIMIT_TOTAL_SIZE', `${path} holds ${total}+ bytes; the limit is ${limits.maxTotalSize}`, {
            details: { archive: path, declared: total, limit: limits.maxTotalSize },
          });
        }
        if (type === 'directory') await walk(abs, canonical);
      }
    };
    try {
      await walk(path, '');
    } catch (error) {
      throw toArchiveError(error, { archive: path });
    }
    return new FolderArchive(path, entries, total, limits);
  }

  protected async openFile(info: ArchiveEntryInfo): Promise<Readable> {
    const abs = join(this.path, ...info.path.split('/'));
    try {
      const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        throw new ModelArchiveError('ENTRY_SPECIAL_FILE', `${info.path} is no longer a regular file`, { details: { archive: this.path, entry: info.path } });
      }
      // The handle's own stream: it closes the handle (a numeric-fd stream would leave the handle to close a stale fd on GC).
      return checkedEntryStream(handle.createReadStream(), this.path, { path: info.path, size: info.size }, this.signal);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ELOOP') {
        throw new ModelArchiveError('ENTRY_SYMLINK_ESCAPES', `${info.path} was replaced by a symbolic link`, { cause: error, details: { archive: this.path, entry: info.path } });
      }
      throw toArchiveError(error, { archive: this.path, entry: info.path });
    }
  }

  async forEachFile(visit: FileVisitor, concurrency = 1): Promise<void> {
    await visitFiles(this.entries, concurrency, (info) => this.openFile(info), visit);
  }

  async close(): Promise<void> {
    // Files are opened per read and closed when their stream ends.
  }
}
