import type { Readable } from 'node:stream';

import type { ParsedManifest } from '../manifest/schemas.js';

import type { ContainerFormat } from '../vocabulary/container-formats.js';

export type { ContainerFormat };

/** Kinds of entries. Only `file` entries are ever materialised by extraction; links are validated, never followed out. */
export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

/** One entry of an archive, read from the zip central directory, the tar headers, or the folder tree. */
export interface ArchiveEntryInfo {
  /** Path relative to the model root: forward slashes; for tgz the single root folder is stripped. */
  path: string;
  type: EntryType;
  /** Uncompressed size in bytes (declared). */
  size: number;
  /** Stored size in bytes (zip); equals `size` for tar and folders. */
  compressedSize: number;
  /** `store` / `deflate` for zip; `tar` for tgz members; `file` for folders. */
  method: 'store' | 'deflate' | 'tar' | 'file';
  /** CRC-32 from the zip central directory. */
  crc32?: number;
  /** Unix mode bits, when the container records them. */
  mode?: number;
  /** Modification time, when the container records one. */
  mtime?: Date;
  /** Link target (symlink / hardlink entries). */
  linkTarget?: string;
  /** Zip only: the local header announces a data descriptor (bit 3). */
  dataDescriptor?: boolean;
}

/** Safety limits applied on open, read and extraction (docs/security.md). */
export interface ReadLimits {
  /** Maximum total uncompressed bytes (default 64 GiB). */
  maxTotalSize: number;
  /** Maximum number of entries (default 100,000). */
  maxEntries: number;
  /** Maximum ratio uncompressed/compressed for a single entry larger than 1 MiB (default 200). */
  maxCompressionRatio: number;
  /** Maximum length of an entry path in bytes (default 4096) . */
  maxPathLength: number;
  /** Maximum number of path segments (default 64). */
  maxPathDepth: number;
}

/** The manifest of an archive with its detected flavour. */
export type ArchiveManifest = ParsedManifest & {
  /** Archive path it was read from (`MAR-INF/MANIFEST.json` or legacy `MANIFEST.json`). */
  path: string;
  /** The exact text stored. */
  raw: string;
};

/** An opened archive. Listing costs no payload reads; entries are streamed one at a time. */
export interface ModelArchive {
  /** Absolute path of the archive file or folder. */
  readonly path: string;
  readonly format: ContainerFormat;
  /** tgz only: the single root folder that was stripped from entry paths. */
  readonly root?: string;
  /** All entries in container order (without {@link shadowedManifests}). */
  readonly entries: readonly ArchiveEntryInfo[];
  /**
   * Earlier copies of `MAR-INF/MANIFEST.json` when the archive holds several (torch-model-archiver writes a second
   * one when an `--extra-files` folder contains `MAR-INF/`). Like TorchServe's frontend, which unzips every entry in
   * order over the previous one (`ZipUtils.unzip`) and then reads the extracted file, and like Python's `zipfile`,
   * whose name lookup keeps the last central-directory record, the reader takes the **last** copy; these are the
   * others, in container order. Empty for every other archive: other duplicate names are `ENTRY_DUPLICATE`.
   */
  readonly shadowedManifests: readonly ArchiveEntryInfo[];
  /** Size of the archive file (sum of files for folders). */
  readonly archiveSize: number;
  /** Looks an entry up by path (O(1)). */
  entry(path: string): ArchiveEntryInfo | undefined;
  /** Streams one file entry's uncompressed bytes, checking size and CRC while streaming. */
  openEntry(path: string): Promise<Readable>;
  /** Reads one file entry fully (small entries: manifests, handlers, records). */
  readEntry(path: string): Promise<Buffer>;
  /** Reads and validates the manifest (`MANIFEST_MISSING` / `MANIFEST_INVALID`). */
  readManifest(): Promise<ArchiveManifest>;
  /**
   * Streams every file entry (links excluded) to `visit`, in container order, one at a time: a `.tar.gz` in one pass,
   * where `openEntry` of a large entry inflates the stream again from its start. Archives of `openArchive` have it.
   */
  forEachFile?(visit: (info: ArchiveEntryInfo, stream: Readable) => Promise<void>): Promise<void>;
  /** Releases file handles. Safe to call twice. */
  close(): Promise<void>;
}
