import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';

import yauzl from 'yauzl';

import { ModelArchiveError } from '../errors.js';
import type { ArchiveEntryInfo, ReadLimits } from './archive-types.js';
import { BaseArchive, type FileVisitor, visitFiles } from './base-archive.js';
import { checkedEntryStream } from './entry-stream.js';
import { toArchiveError } from './error-map.js';
import { RATIO_EXEMPT_SIZE } from './limits.js';
import { readZipEnd } from './zip-end.js';
import { checkZipLayout, describeZipEntry } from './zip-entries.js';
import { CachedFileReader, type YauzlEntry, type YauzlZipFile } from './zip-reader.js';

/** Entries stored in at most this many bytes, inflating to at most {@link SMALL_INFLATED}, are read in one call. */
const SMALL_COMPRESSED = 64 * 1024;
const SMALL_INFLATED = 1024 * 1024;

/** Largest central directory loaded into memory (about 1.5 million entries with short names). */
const MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024;

interface ZipRecord {
  raw: YauzlEntry;
  /** Offset this entry's data must end before (next local header or the central directory). */
  limit: number;
}

const openZip = (reader: CachedFileReader, size: number): Promise<YauzlZipFile> =>
  new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: false, strictFileNames: true },
      (err, zip) => (err ? reject(err) : resolve(zip as YauzlZipFile)),
    );
  });

/** A `.mar` / `.zip` opened with yauzl over a reader that holds the central directory in memory. */
export class ZipArchive extends BaseArchive {
  readonly format = 'zip' as const;
  readonly #zip: YauzlZipFile;
  readonly #reader: CachedFileReader;
  readonly #records: Map<string, ZipRecord>;
  #closed = false;

  private constructor(
    path: string,
    entries: ArchiveEntryInfo[],
    size: number,
    limits: ReadLimits,
    zip: YauzlZipFile,
    reader: CachedFileReader,
    records: Map<string, ZipRecord>,
  ) {
    super(path, entries, size, limits);
    this.#zip = zip;
    this.#reader = reader;
    this.#records = records;
  }

  /** Opens and checks a zip: cost O(central directory), no payload is read. */
  static async open(path: string, fileSize: number, limits: ReadLimits): Promise<ZipArchive> {
    let file: FileHandle | undefined = await open(path, 'r');
    let zip: YauzlZipFile | undefined;
    try {
      const end = await readZipEnd(file, fileSize, path, limits.maxEntries);
      if (fileSize - end.cdOffset > MAX_CENTRAL_DIRECTORY) {
        throw new ModelArchiveError('LIMIT_ENTRY_COUNT', `Central directory of ${path} is over ${MAX_CENTRAL_DIRECTORY} bytes`, {
          details: { archive: path, cdSize: end.cdSize },
        });
      }
      const cache = Buffer.alloc(fileSize - end.cdOffset);
      await file.read(cache, 0, cache.length, end.cdOffset);
      const reader = new CachedFileReader(file, cache, end.cdOffset);
      zip = await openZip(reader, fileSize);
      file = undefined; // owned by the reader from now on
      const opened = zip;
      const entries: ArchiveEntryInfo[] = [];
      const raws: YauzlEntry[] = [];
      const byPath = new Map<string, YauzlEntry>();
      let total = 0;
      let cursor = 0;
      await new Promise<void>((resolve, reject) => {
        opened.on('error', reject);
        opened.on('end', resolve);
        opened.on('entry', (raw: YauzlEntry) => {
          try {
            const diskStart = cursor + 36 <= cache.length ? cache.readUInt16LE(cursor + 34) : 0;
            cursor += 46 + raw.fileNameLength + raw.extraFieldLength + raw.fileCommentLength;
            raws.push(raw);
            const info = describeZipEntry(raw, diskStart, path, limits);
            if (info !== undefined) {
              total += info.size;
              if (total > limits.maxTotalSize) {
                throw new ModelArchiveError('LIMIT_TOTAL_SIZE', `${path} declares ${total}+ bytes; the limit is ${limits.maxTotalSize}`, {
                  details: { archive: path, declared: total, limit: limits.maxTotalSize },
                });
              }
              entries.push(info);
              byPath.set(info.path, raw); // the last of duplicate manifests wins, as in the servers' readers
            }
            opened.readEntry();
          } catch (error) {
            reject(error);
          }
        });
        opened.readEntry();
      });
      // The ratio of the whole archive too, as a .tar.gz's stream: many entries under the 1 MiB exemption (each tiny
      // when deflated) must not add up to a bomb.
      if (total > RATIO_EXEMPT_SIZE && total > fileSize * limits.maxCompressionRatio) {
        throw new ModelArchiveError('LIMIT_COMPRESSION_RATIO', `${path} declares ${total} bytes in ${fileSize}, over the ratio limit`, {
          details: { archive: path, declared: total, fileSize, limit: limits.maxCompressionRatio },
        });
      }
      const ends = checkZipLayout(raws, end.cdOffset, fileSize, path);
      const records = new Map<string, ZipRecord>();
      for (const [name, raw] of byPath) records.set(name, { raw, limit: ends.get(raw) ?? end.cdOffset });
      return new ZipArchive(path, entries, fileSize, limits, zip, reader, records);
    } catch (error) {
      zip?.close();
      await file?.close();
      throw toArchiveError(error, { archive: path });
    }
  }

  protected async openFile(info: ArchiveEntryInfo): Promise<Readable> {
    const record = this.#records.get(info.path);
    if (record === undefined || this.#closed) {
      throw new ModelArchiveError('ENTRY_NOT_FOUND', `No entry ${info.path} in ${this.path}`, { details: { archive: this.path, entry: info.path } });
    }
    const { raw, limit } = record;
    const context = { archive: this.path, entry: info.path };
    try {
      const header = await new Promise<{ fileDataStart: number; fileName: Buffer }>((resolve, reject) =>
        this.#zip.readLocalFileHeader(raw, (err, h) => (err ? reject(err) : resolve(h))),
      );
      if (!header.fileName.equals(raw.fileNameRaw)) {
        throw new ModelArchiveError('ARCHIVE_CORRUPT', `Local and central names of ${info.path} differ`, { details: context });
      }
      if (header.fileDataStart + raw.compressedSize > limit) {
        throw new ModelArchiveError('ENTRY_OVERLAP', `Data of ${info.path} overlaps the next record`, { details: { ...context, limit } });
      }
      const checks = { path: info.path, size: raw.uncompressedSize, crc32: raw.crc32 };
      if (raw.uncompressedSize === 0 && raw.compressedSize <= 2) return checkedEntryStream(Readable.from([]), this.path, checks, this.signal);
      if (raw.compressedSize <= SMALL_COMPRESSED && raw.uncompressedSize <= SMALL_INFLATED && (raw.compressionMethod === 0 || raw.compressionMethod === 8)) {
        const body = await this.#readSmall(header.fileDataStart, raw);
        return checkedEntryStream(Readable.from([body]), this.path, checks, this.signal);
      }
      const source = await new Promise<Readable>((resolve, reject) =>
        this.#zip.openReadStreamLowLevel(header.fileDataStart, raw.compressedSize, 0, raw.compressedSize, raw.compressionMethod === 8, raw.uncompressedSize, (err, s) =>
          err ? reject(err) : resolve(s),
        ),
      );
      return checkedEntryStream(source, this.path, checks, this.signal);
    } catch (error) {
      throw toArchiveError(error, context);
    }
  }

  /**
   * A small entry read with one positional read and inflated in one synchronous call (bounded: at most
   * {@link SMALL_INFLATED} bytes, well under a millisecond): an archive of many small files does not pay a stream
   * pipeline and a zlib stream per entry. The caller still checks size and CRC.
   */
  async #readSmall(fileDataStart: number, raw: YauzlEntry): Promise<Buffer> {
    const stored = Buffer.allocUnsafe(raw.compressedSize);
    const read = await new Promise<number>((resolve, reject) =>
      this.#reader.read(stored, 0, stored.length, fileDataStart, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead ?? 0))),
    );
    if (read !== stored.length) throw new Error('unexpected EOF');
    if (raw.compressionMethod === 0) return stored;
    try {
      // One byte over the declared size is enough to tell a lying header (ENTRY_SIZE_MISMATCH from the checks).
      return inflateRawSync(stored, { maxOutputLength: raw.uncompressedSize + 1 });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Entry ${raw.fileName} is larger than its declared ${raw.uncompressedSize} bytes`, {
          cause: error,
          details: { archive: this.path, declared: raw.uncompressedSize },
        });
      }
      throw error;
    }
  }

  async forEachFile(visit: FileVisitor, concurrency = 1): Promise<void> {
    await visitFiles(this.entries, concurrency, (info) => this.openFile(info), visit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#zip.close();
  }
}
