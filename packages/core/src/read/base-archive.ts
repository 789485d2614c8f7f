import type { Readable } from 'node:stream';

import { ModelArchiveError } from '../errors.js';
import type { ArchiveEntryInfo, ArchiveManifest, ContainerFormat, ModelArchive, ReadLimits } from './archive-types.js';
import { MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import { readArchiveManifest } from './read-manifest.js';
import { resolveLinkTarget } from './safe-path.js';

/** Longest chain of in-archive symlinks followed when reading (as Linux `MAXSYMLINKS`). */
const MAX_LINK_HOPS = 40;
/** A zip symlink's target is its content; longer content is not a path. */
const MAX_LINK_TARGET_BYTES = 4096;

/** Visits each file entry with its checked stream; used by extraction (one pass for tgz). */
export type FileVisitor = (info: ArchiveEntryInfo, stream: Readable) => Promise<void>;

/**
 * Runs `visit` on every file entry of `entries` with at most `limit` in flight (containers with random access: zip,
 * folder). After the first failure no new entry starts, and the failure is thrown only once every started visit has
 * settled, so a caller that cleans up after it never races a write still in progress.
 */
export async function visitFiles(
  entries: readonly ArchiveEntryInfo[],
  limit: number,
  open: (info: ArchiveEntryInfo) => Promise<Readable>,
  visit: FileVisitor,
): Promise<void> {
  const files = entries.filter((e) => e.type === 'file');
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < files.length) {
      const info = files[next] as ArchiveEntryInfo;
      next += 1;
      try {
        await visit(info, await open(info));
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, files.length)) }, () => worker()));
  if (failure !== undefined) throw failure.error;
}

/**
 * What every container implements on top of {@link ModelArchive}: the entry table, link resolution and manifest
 * reading live here; subclasses stream one file entry and walk all files.
 */
export abstract class BaseArchive implements ModelArchive {
  abstract readonly format: ContainerFormat;
  readonly #byPath = new Map<string, ArchiveEntryInfo>();
  readonly entries: readonly ArchiveEntryInfo[];
  readonly shadowedManifests: readonly ArchiveEntryInfo[];
  /** Cancels every read of this archive (`ABORTED`): set by `openArchive` from its `signal` option. */
  signal: AbortSignal | undefined;

  /**
   * `listed` is every entry in container order. A name may appear twice only for folders and for
   * `MAR-INF/MANIFEST.json` (see {@link ModelArchive.shadowedManifests}); any other duplicate is `ENTRY_DUPLICATE`.
   */
  protected constructor(
    readonly path: string,
    listed: readonly ArchiveEntryInfo[],
    readonly archiveSize: number,
    readonly limits: ReadLimits,
  ) {
    const shadowed: ArchiveEntryInfo[] = [];
    for (const entry of listed) {
      const seen = this.#byPath.get(entry.path);
      if (seen !== undefined && !(seen.type === 'directory' && entry.type === 'directory')) {
        if (!(entry.path === MANIFEST_PATH && seen.type === 'file' && entry.type === 'file')) {
          throw new ModelArchiveError('ENTRY_DUPLICATE', `Two entries are named ${entry.path}`, {
            details: { archive: path, entry: entry.path },
          });
        }
        shadowed.push(seen); // the later copy is the one TorchServe's and Python's readers end up with
      }
      this.#byPath.set(entry.path, entry);
    }
    this.entries = shadowed.length === 0 ? listed : listed.filter((entry) => !shadowed.includes(entry));
    this.shadowedManifests = shadowed;
  }

  entry(path: string): ArchiveEntryInfo | undefined {
    return this.#byPath.get(path);
  }

  /** Streams a `file` entry's bytes (size and CRC checked); called only with file entries. */
  protected abstract openFile(info: ArchiveEntryInfo): Promise<Readable>;

  /**
   * Streams every file entry to `visit`: in container order, one at a time, unless `concurrency` > 1 and the
   * container has random access (zip, folder), where up to that many run at once (order not guaranteed).
   */
  abstract forEachFile(visit: FileVisitor, concurrency?: number): Promise<void>;

  abstract close(): Promise<void>;

  /**
   * The file entry a link finally points to, following in-archive symlinks and hard links; `ENTRY_SYMLINK_ESCAPES`
   * / `ENTRY_HARDLINK_ESCAPES` when it leaves the archive tree or points to nothing readable.
   */
  async resolveFile(path: string): Promise<ArchiveEntryInfo> {
    let info = this.#byPath.get(path);
    if (info === undefined) {
      throw new ModelArchiveError('ENTRY_NOT_FOUND', `No entry ${path} in ${this.path}`, { details: { archive: this.path, entry: path } });
    }
    for (let hops = 0; ; hops += 1) {
      if (info.type === 'file') return info;
      if (info.type === 'special') {
        throw new ModelArchiveError('ENTRY_SPECIAL_FILE', `Entry ${info.path} is a device, FIFO or other special file`, {
          details: { archive: this.path, entry: info.path },
        });
      }
      if (info.type === 'directory') {
        throw new ModelArchiveError('ENTRY_NOT_FOUND', `Entry ${info.path} is a folder, not a file`, {
          details: { archive: this.path, entry: info.path },
        });
      }
      const kind = info.type;
      const code = kind === 'symlink' ? 'ENTRY_SYMLINK_ESCAPES' : 'ENTRY_HARDLINK_ESCAPES';
      const raw = await this.readLinkTarget(info);
      const target = resolveLinkTarget(info.path, raw, kind);
      const next = target === undefined ? undefined : this.#byPath.get(target);
      if (next === undefined || hops >= MAX_LINK_HOPS) {
        throw new ModelArchiveError(code, `Link ${info.path} -> ${raw} points outside the archive or to nothing in it`, {
          details: { archive: this.path, entry: info.path, target: raw },
        });
      }
      info = next;
    }
  }

  /** The raw target of a link entry (zip keeps it as the entry's content). */
  async readLinkTarget(info: ArchiveEntryInfo): Promise<string> {
    if (info.linkTarget !== undefined) return info.linkTarget;
    if (info.size > MAX_LINK_TARGET_BYTES) {
      throw new ModelArchiveError('LIMIT_PATH_LENGTH', `Link ${info.path} has a ${info.size}-byte target`, {
        details: { archive: this.path, entry: info.path },
      });
    }
    const target = (await collect(await this.openFile(info))).toString('utf8');
    info.linkTarget = target;
    return target;
  }

  async openEntry(path: string): Promise<Readable> {
    return this.openFile(await this.resolveFile(path));
  }

  async readEntry(path: string): Promise<Buffer> {
    return collect(await this.openEntry(path));
  }

  readManifest(): Promise<ArchiveManifest> {
    return readArchiveManifest(this);
  }
}

/** Reads a stream fully into one buffer. */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
