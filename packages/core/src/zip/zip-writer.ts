import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

import { ModelArchiveError } from '../errors.js';
import { outputWriteError, throwIfAborted } from '../fs/io-errors.js';
import { type EntryMethod, PROBE_MIN_SAVING, isDenseByName, probeMethod } from './compression-policy.js';
import { FileSource, readSmallFile } from './file-source.js';
import { InlineSha256, WORKER_HASH_MIN_SIZE, WorkerSha256 } from './sha256-worker.js';
import { STORE_BUFFER_SIZE, copyStored } from './stored-copy.js';
import { DEFLATE_CHUNK_SIZE, ParallelDeflater, deflateBuffer, defaultDeflateConcurrency } from './parallel-deflate.js';
import { headerFields } from './header-fields.js';
import {
  METHOD_STORE,
  ZIP64_MARKER_16,
  type ZipHeaderFields,
  encodeCentralHeader,
  encodeEnd,
  encodeLocalHeader,
  localHeaderPatches,
} from './zip-records.js';
import type { RawZipEntry, ZipEntryOptions, ZipEntryRecord, ZipFinishResult, ZipWriterOptions } from './zip-types.js';

export type { RawZipEntry, ZipEntryOptions, ZipEntryRecord, ZipFinishResult, ZipWriterOptions } from './zip-types.js';

interface Pending {
  fields: ZipHeaderFields;
  offset: number;
}

/** `auto` files up to this size are compressed in memory and stored when deflate does not pay. */
const SMALL_FILE = 1024 * 1024;
/** Appends are gathered into writes of about this size. */
const WRITE_COALESCE_BYTES = 1024 * 1024;

/**
 * A streaming zip writer on a seekable file handle that it does not own. Like CPython `zipfile` on a seekable file,
 * it writes each local header with placeholder CRC/sizes, streams the data (CRC-32 and SHA-256 computed on the way),
 * then patches the header in place: no data descriptors ever (Java's `ZipInputStream`, used by MMS and TorchServe,
 * rejects STORED entries with one). ZIP64 is used per entry when its size may not fit 32 bits and for offsets and
 * the end record when needed. Entries are added one at a time (await each call).
 *
 * @example
 * const handle = await fs.open('model.mar.tmp', 'wx');
 * const zip = new ZipWriter(handle, 'model.mar.tmp', { date: new Date('2024-01-01T00:00:00Z') });
 * await zip.addFile('model.onnx', '/models/model.onnx', { compression: 'auto' });
 * await zip.addBuffer('MAR-INF/MANIFEST.json', Buffer.from(json));
 * const { entries, bytesWritten } = await zip.finish();
 * await handle.close();
 */
export class ZipWriter {
  private offset = 0;
  private readonly entries: { record: ZipEntryRecord; fields: ZipHeaderFields }[] = [];
  private readonly names = new Set<string>();
  private busy = false;
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private queuedAt = 0;
  private storeBuffers: Buffer[] | undefined;
  private readonly level: number;
  private readonly zip64Limit: number;
  private readonly chunkSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly handle: FileHandle,
    private readonly outputPath: string,
    private readonly options: ZipWriterOptions,
  ) {
    this.level = options.level ?? 6;
    this.zip64Limit = options.zip64Limit ?? 0xffffffff;
    this.chunkSize = options.deflateChunkSize ?? DEFLATE_CHUNK_SIZE;
    this.concurrency = options.concurrency ?? defaultDeflateConcurrency();
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.offset;
  }

  /** Streams a file into the archive. Input errors are `INPUT_READ_FAILED`, output errors `OUTPUT_WRITE_FAILED`. */
  addFile(name: string, sourcePath: string, options: ZipEntryOptions = {}): Promise<ZipEntryRecord> {
    return this.exclusive(async () => {
      const small = readSmallFile(sourcePath);
      if (small !== undefined) return this.writeBuffer(name, small, options);
      const source = await FileSource.open(sourcePath);
      try {
        return await this.writeFile(name, source, options);
      } finally {
        await source.close();
      }
    });
  }

  /** Adds an in-memory entry. */
  addBuffer(name: string, data: Uint8Array, options: ZipEntryOptions = {}): Promise<ZipEntryRecord> {
    return this.exclusive(() => this.writeBuffer(name, Buffer.from(data.buffer, data.byteOffset, data.byteLength), options));
  }

  /** Copies an already-compressed entry (CRC and sizes given by the caller; the byte count is checked). */
  addRaw(name: string, raw: RawZipEntry): Promise<ZipEntryRecord> {
    return this.exclusive(async () => {
      if (raw.method === 'store' && raw.size !== raw.compressedSize) {
        throw new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Raw stored entry ${name}: size and compressed size differ`, {
          details: { name, size: raw.size, compressedSize: raw.compressedSize },
        });
      }
      const fields = this.fields(name, raw.method, raw.size, raw.mode, raw.date);
      Object.assign(fields, {
        crc32: raw.crc32,
        compressedSize: raw.compressedSize,
        zip64: Math.max(raw.size, raw.compressedSize) >= this.zip64Limit,
      });
      const pending = await this.begin(fields);
      let copied = 0;
      const chunks = raw.data instanceof Uint8Array ? [raw.data] : raw.data;
      for await (const chunk of chunks) {
        throwIfAborted(this.options.signal);
        copied += chunk.byteLength;
        await this.append(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
      if (copied !== raw.compressedSize) {
        throw new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Raw entry ${name}: got ${copied} bytes, expected ${raw.compressedSize}`, {
          details: { name, expected: raw.compressedSize, actual: copied },
        });
      }
      return this.end(pending, undefined);
    });
  }

  /** Writes the central directory and the end records. The handle stays open (the caller owns it). */
  finish(): Promise<ZipFinishResult> {
    return this.exclusive(async () => {
      const centralOffset = this.offset;
      const headers = this.entries.map(({ record, fields }) =>
        encodeCentralHeader(fields, record.offset, record.offset >= this.zip64Limit),
      );
      const central = Buffer.concat(headers);
      const centralSize = central.length;
      const zip64 =
        this.entries.length >= ZIP64_MARKER_16 || centralOffset >= this.zip64Limit || centralSize >= this.zip64Limit;
      await this.append(Buffer.concat([central, encodeEnd({ entryCount: this.entries.length, centralOffset, centralSize, zip64 })]));
      await this.flush();
      return { entries: this.entries.map(({ record }) => record), bytesWritten: this.offset };
    });
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new ModelArchiveError('INTERNAL', 'ZipWriter calls must not overlap');
    this.busy = true;
    try {
      throwIfAborted(this.options.signal);
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  private async writeFile(name: string, source: FileSource, options: ZipEntryOptions): Promise<ZipEntryRecord> {
    const requested = options.compression ?? 'deflate';
    const size = source.size;
    if (size === 0 || requested === 'store' || (requested === 'auto' && isDenseByName(name))) {
      return this.streamStored(name, source, options);
    }
    if (requested === 'auto' && size <= SMALL_FILE) {
      const data = Buffer.allocUnsafe(size);
      const read = await source.readAt(data, 0);
      await source.checkComplete(read);
      return this.writeBuffer(name, data, options);
    }
    if (requested === 'auto') {
      const head = Buffer.allocUnsafe(Math.min(size, 128 * 1024));
      const read = await source.readAt(head, 0);
      if (probeMethod(head.subarray(0, read), this.level) === 'store') return this.streamStored(name, source, options);
    }
    return this.streamDeflated(name, source, options);
  }

  private async writeBuffer(name: string, data: Buffer, options: ZipEntryOptions): Promise<ZipEntryRecord> {
    const requested = options.compression ?? 'deflate';
    const sha256 = createHash('sha256').update(data).digest('hex');
    const checksum = crc32(data);
    let method: EntryMethod = data.length === 0 || requested === 'store' ? 'store' : 'deflate';
    if (requested === 'auto' && isDenseByName(name)) method = 'store';
    let payload: Buffer[] = [data];
    if (method === 'deflate') {
      const parts = await deflateBuffer(data, this.level, this.chunkSize, this.concurrency);
      const compressedSize = parts.reduce((sum, part) => sum + part.length, 0);
      if (requested === 'auto' && compressedSize > data.length * (1 - PROBE_MIN_SAVING)) method = 'store';
      else payload = parts;
    }
    const fields = this.fields(name, method, data.length, options.mode, options.date);
    fields.crc32 = checksum;
    fields.compressedSize = payload.reduce((sum, part) => sum + part.length, 0);
    fields.zip64 = Math.max(fields.size, fields.compressedSize) >= this.zip64Limit;
    // CRC and sizes are known: the local header is final, so header and data go out as one write and need no patch.
    const offset = this.offset;
    await this.append(Buffer.concat([encodeLocalHeader(fields), ...payload]));
    options.onBytes?.(data.length);
    return this.end({ fields, offset }, sha256, false);
  }

  private async streamStored(name: string, source: FileSource, options: ZipEntryOptions): Promise<ZipEntryRecord> {
    const pending = await this.begin(this.fields(name, 'store', source.size, options.mode, options.date));
    // Big files: SHA-256 on a worker thread over shared buffers, CRC-32 here, I/O on the threadpool.
    const hasher =
      source.size >= (this.options.workerHashMinSize ?? WORKER_HASH_MIN_SIZE)
        ? new WorkerSha256(4, STORE_BUFFER_SIZE)
        : new InlineSha256((this.storeBuffers ??= [0, 1, 2].map(() => Buffer.allocUnsafeSlow(STORE_BUFFER_SIZE))));
    try {
      const copied = await copyStored(source, hasher, (chunk) => this.append(chunk), {
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(options.onBytes ? { onBytes: options.onBytes } : {}),
      });
      await source.checkComplete(copied.size);
      pending.fields.crc32 = copied.crc32;
      pending.fields.compressedSize = copied.size;
      return await this.end(pending, copied.sha256);
    } finally {
      await hasher.close();
    }
  }

  private async streamDeflated(name: string, source: FileSource, options: ZipEntryOptions): Promise<ZipEntryRecord> {
    const pending = await this.begin(this.fields(name, 'deflate', source.size, options.mode, options.date));
    const hash = createHash('sha256');
    let checksum = 0;
    let position = 0;
    const deflater = new ParallelDeflater(this.level, this.concurrency, (compressed) => this.append(compressed));
    const readPiece = async (at: number): Promise<Buffer> => {
      const piece = Buffer.allocUnsafe(Math.min(this.chunkSize, source.size - at));
      return piece.subarray(0, await source.readAt(piece, at));
    };
    let read = readPiece(0);
    try {
      for (;;) {
        const piece = await read;
        throwIfAborted(this.options.signal);
        position += piece.length;
        const last = position >= source.size || piece.length === 0;
        if (!last) read = readPiece(position);
        hash.update(piece);
        checksum = crc32(piece, checksum);
        options.onBytes?.(piece.length);
        await deflater.push(piece, last);
        if (last) break;
      }
      await deflater.drain();
    } catch (error) {
      deflater.abandon();
      read.catch(() => undefined);
      throw error;
    }
    await source.checkComplete(position);
    pending.fields.crc32 = checksum;
    pending.fields.compressedSize = deflater.compressedSize;
    return this.end(pending, hash.digest('hex'));
  }

  private fields(name: string, method: EntryMethod, size: number, mode = 0o644, date?: Date): ZipHeaderFields {
    if (this.names.has(name)) {
      throw new ModelArchiveError('ENTRY_COLLISION', `Duplicate zip entry name: ${name}`, { details: { name } });
    }
    const fields = headerFields(name, method, size, mode, date ?? this.options.date, this.zip64Limit);
    this.names.add(name);
    return fields;
  }

  private async begin(fields: ZipHeaderFields): Promise<Pending> {
    const offset = this.offset;
    await this.append(encodeLocalHeader(fields));
    return { fields, offset };
  }

  private async end(pending: Pending, sha256: string | undefined, patch = true): Promise<ZipEntryRecord> {
    const { fields, offset } = pending;
    if (!fields.zip64 && (fields.size >= 0xffffffff || fields.compressedSize >= 0xffffffff)) {
      throw new ModelArchiveError('INTERNAL', `Entry ${fields.name.toString()} outgrew its 32-bit header`);
    }
    if (patch) {
      await this.flush(); // the header being patched may still be queued
      for (const fix of localHeaderPatches(fields)) await this.writeAt(fix.bytes, offset + fix.at);
    }
    const record: ZipEntryRecord = {
      name: fields.name.toString('utf8'),
      method: fields.method === METHOD_STORE ? 'store' : 'deflate',
      crc32: fields.crc32 >>> 0,
      size: fields.size,
      compressedSize: fields.compressedSize,
      offset,
      ...(sha256 === undefined ? {} : { sha256 }),
    };
    this.entries.push({ record, fields });
    return record;
  }

  /**
   * Appends bytes at the end of the archive. Small appends are copied into a queue written out in one call once it
   * holds {@link WRITE_COALESCE_BYTES} (or before a patch, a big write, and at the end), so many small entries cost
   * a few writes instead of several each.
   */
  private async append(bytes: Buffer): Promise<void> {
    const at = this.offset;
    this.offset += bytes.length;
    if (bytes.length >= WRITE_COALESCE_BYTES) {
      await this.flush();
      await this.writeAt(bytes, at);
      return;
    }
    if (this.queued.length === 0) this.queuedAt = at;
    this.queued.push(Buffer.from(bytes)); // a copy: callers reuse their buffers
    this.queuedBytes += bytes.length;
    if (this.queuedBytes >= WRITE_COALESCE_BYTES) await this.flush();
  }

  /** Writes the queued appends. */
  private async flush(): Promise<void> {
    if (this.queued.length === 0) return;
    const bytes = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued, this.queuedBytes);
    const at = this.queuedAt;
    this.queued = [];
    this.queuedBytes = 0;
    await this.writeAt(bytes, at);
  }

  private async writeAt(bytes: Buffer, position: number): Promise<void> {
    try {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
      }
    } catch (error) {
      throw outputWriteError(error, this.outputPath);
    }
  }
}
