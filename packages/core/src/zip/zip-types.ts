import type { EntryCompression, EntryMethod } from './compression-policy.js';

/** Options of a {@link ZipWriter}. */
export interface ZipWriterOptions {
  /** Timestamp of every entry (written as a DOS date/time in UTC). */
  date: Date;
  /** Deflate level 1-9 (default 6). */
  level?: number;
  /** Cancels the current operation with `ABORTED`. */
  signal?: AbortSignal;
  /** Pieces deflated at once (default: cores + 1, 2..4); never changes the bytes. */
  concurrency?: number;
  /** @internal Sizes and offsets at or above this use ZIP64 (default 0xFFFFFFFF); tests lower it. */
  zip64Limit?: number;
  /** @internal Size of independently deflated pieces (default 1 MiB); changing it changes the bytes. */
  deflateChunkSize?: number;
  /** @internal Stored files at least this big are hashed on a worker thread (default 64 MiB); tests lower it. */
  workerHashMinSize?: number;
}

/** Per-entry options of {@link ZipWriter.addFile} and {@link ZipWriter.addBuffer}. */
export interface ZipEntryOptions {
  /** `store`, `deflate`, or `auto` (dense extension or probe → store, else deflate). Default `deflate`. */
  compression?: EntryCompression;
  /** Unix permission bits (default 0o644); written as a regular file `(0o100000 | mode) << 16`. */
  mode?: number;
  /** Entry timestamp (default: the writer's `date`). */
  date?: Date;
  /** Called with the number of uncompressed bytes consumed, as data goes through. */
  onBytes?: (bytes: number) => void;
}

/** An already-compressed entry copied as is (used to rewrite archives without recompressing). */
export interface RawZipEntry {
  method: EntryMethod;
  /** CRC-32 of the uncompressed data. */
  crc32: number;
  /** Uncompressed size. */
  size: number;
  /** Size of `data`. */
  compressedSize: number;
  /** Exactly `compressedSize` bytes of stored or raw-deflated data. */
  data: Uint8Array | AsyncIterable<Uint8Array>;
  mode?: number;
  date?: Date;
}

/** One entry as written. */
export interface ZipEntryRecord {
  name: string;
  method: EntryMethod;
  crc32: number;
  size: number;
  compressedSize: number;
  /** Offset of the local header. */
  offset: number;
  /** Lowercase hex SHA-256 of the uncompressed bytes (absent for {@link ZipWriter.addRaw}). */
  sha256?: string;
}

/** Result of {@link ZipWriter.finish}. */
export interface ZipFinishResult {
  entries: ZipEntryRecord[];
  /** Size of the zip file. */
  bytesWritten: number;
}
