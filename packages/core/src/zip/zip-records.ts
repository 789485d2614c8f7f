/**
 * Byte layout of the zip records we write (APPNOTE 6.3.x): local file header, central directory header,
 * ZIP64 end of central directory record + locator, and the classic end of central directory record.
 * Field values follow CPython `zipfile` (the reference archivers' engine): version made by Unix (0x03) / 2.0,
 * no extra fields but ZIP64, no data descriptors, empty comments.
 */

/** Compression method numbers. */
export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

/** General purpose flag: names are UTF-8 (bit 11). */
export const FLAG_UTF8 = 0x0800;
/** General purpose flag: sizes and CRC follow the data (bit 3); we never set it, readers check it. */
export const FLAG_DATA_DESCRIPTOR = 0x0008;

export const LOCAL_HEADER_SIGNATURE = 0x04034b50;
export const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
export const END_SIGNATURE = 0x06054b50;
export const ZIP64_END_SIGNATURE = 0x06064b50;
export const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
export const ZIP64_EXTRA_ID = 0x0001;

/** 32-bit field value meaning "see the ZIP64 extra field". */
export const ZIP64_MARKER_32 = 0xffffffff;
/** 16-bit field value meaning "see the ZIP64 end record". */
export const ZIP64_MARKER_16 = 0xffff;

/** Version needed to extract: 2.0 (deflate), 4.5 (ZIP64). */
export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;
/** Host system of "version made by": 3 = Unix (so external attributes carry a Unix mode). */
const HOST_UNIX = 0x0300;

/** Fixed part of a local file header; the name and extra follow. */
export const LOCAL_HEADER_SIZE = 30;
/** Offset of the CRC-32 field in a local header (CRC, compressed size, size follow). */
export const LOCAL_CRC_OFFSET = 14;
/** Size of the ZIP64 extra in a local header: id, length, size (8), compressed size (8). */
export const LOCAL_ZIP64_EXTRA_SIZE = 20;

/** Everything the headers of one entry need. */
export interface ZipHeaderFields {
  name: Buffer;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  size: number;
  compressedSize: number;
  /** Sizes live in a ZIP64 extra (decided before the data is written). */
  zip64: boolean;
  /** External attributes (Unix mode in the high 16 bits). */
  externalAttributes: number;
}

const flagsOf = (name: Buffer): number => (name.some((byte) => byte > 0x7f) ? FLAG_UTF8 : 0);

/** Encodes a local file header; with `zip64` the 32-bit sizes are markers and a ZIP64 extra holds the sizes. */
export function encodeLocalHeader(entry: ZipHeaderFields): Buffer {
  const extraLength = entry.zip64 ? LOCAL_ZIP64_EXTRA_SIZE : 0;
  const buf = Buffer.alloc(LOCAL_HEADER_SIZE + entry.name.length + extraLength);
  buf.writeUInt32LE(LOCAL_HEADER_SIGNATURE, 0);
  buf.writeUInt16LE(entry.zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, 4);
  buf.writeUInt16LE(flagsOf(entry.name), 6);
  buf.writeUInt16LE(entry.method, 8);
  buf.writeUInt16LE(entry.dosTime, 10);
  buf.writeUInt16LE(entry.dosDate, 12);
  writeLocalSizes(buf, 0, entry);
  buf.writeUInt16LE(entry.name.length, 26);
  buf.writeUInt16LE(extraLength, 28);
  entry.name.copy(buf, LOCAL_HEADER_SIZE);
  if (entry.zip64) {
    const at = LOCAL_HEADER_SIZE + entry.name.length;
    buf.writeUInt16LE(ZIP64_EXTRA_ID, at);
    buf.writeUInt16LE(16, at + 2);
  }
  writeLocalZip64Sizes(buf, 0, entry);
  return buf;
}

/**
 * The bytes to patch into a written local header once CRC and sizes are known: `{ at, bytes }` pairs relative to
 * the header start (CRC + 32-bit sizes, and the ZIP64 extra's sizes when present).
 */
export function localHeaderPatches(entry: ZipHeaderFields): { at: number; bytes: Buffer }[] {
  const fixed = Buffer.alloc(12);
  writeLocalSizes(fixed, -LOCAL_CRC_OFFSET, entry);
  const patches = [{ at: LOCAL_CRC_OFFSET, bytes: fixed }];
  if (entry.zip64) {
    const extra = Buffer.alloc(16);
    extra.writeBigUInt64LE(BigInt(entry.size), 0);
    extra.writeBigUInt64LE(BigInt(entry.compressedSize), 8);
    patches.push({ at: LOCAL_HEADER_SIZE + entry.name.length + 4, bytes: extra });
  }
  return patches;
}

function writeLocalSizes(buf: Buffer, base: number, entry: ZipHeaderFields): void {
  buf.writeUInt32LE(entry.crc32 >>> 0, base + 14);
  buf.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.compressedSize, base + 18);
  buf.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.size, base + 22);
}

function writeLocalZip64Sizes(buf: Buffer, base: number, entry: ZipHeaderFields): void {
  if (!entry.zip64) return;
  const at = base + LOCAL_HEADER_SIZE + entry.name.length + 4;
  buf.writeBigUInt64LE(BigInt(entry.size), at);
  buf.writeBigUInt64LE(BigInt(entry.compressedSize), at + 8);
}

/**
 * Encodes a central directory header. ZIP64 extra fields carry, in APPNOTE order, the sizes (when the entry is
 * ZIP64) and the local header offset (when `offsetZip64`).
 */
export function encodeCentralHeader(entry: ZipHeaderFields, offset: number, offsetZip64: boolean): Buffer {
  const values: number[] = [];
  if (entry.zip64) values.push(entry.size, entry.compressedSize);
  if (offsetZip64) values.push(offset);
  const extraLength = values.length === 0 ? 0 : 4 + 8 * values.length;
  const version = entry.zip64 || offsetZip64 ? VERSION_ZIP64 : VERSION_DEFAULT;
  const buf = Buffer.alloc(46 + entry.name.length + extraLength);
  buf.writeUInt32LE(CENTRAL_HEADER_SIGNATURE, 0);
  buf.writeUInt16LE(HOST_UNIX | version, 4);
  buf.writeUInt16LE(version, 6);
  buf.writeUInt16LE(flagsOf(entry.name), 8);
  buf.writeUInt16LE(entry.method, 10);
  buf.writeUInt16LE(entry.dosTime, 12);
  buf.writeUInt16LE(entry.dosDate, 14);
  buf.writeUInt32LE(entry.crc32 >>> 0, 16);
  buf.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.compressedSize, 20);
  buf.writeUInt32LE(entry.zip64 ? ZIP64_MARKER_32 : entry.size, 24);
  buf.writeUInt16LE(entry.name.length, 28);
  buf.writeUInt16LE(extraLength, 30);
  // comment length, disk number start, internal attributes: 0
  buf.writeUInt32LE(entry.externalAttributes >>> 0, 38);
  buf.writeUInt32LE(offsetZip64 ? ZIP64_MARKER_32 : offset, 42);
  entry.name.copy(buf, 46);
  if (extraLength > 0) {
    let at = 46 + entry.name.length;
    buf.writeUInt16LE(ZIP64_EXTRA_ID, at);
    buf.writeUInt16LE(8 * values.length, at + 2);
    at += 4;
    for (const value of values) {
      buf.writeBigUInt64LE(BigInt(value), at);
      at += 8;
    }
  }
  return buf;
}

/** Where and how big the central directory is. */
export interface ZipEndFields {
  entryCount: number;
  centralOffset: number;
  centralSize: number;
  /** Write a ZIP64 end record and locator before the classic end record. */
  zip64: boolean;
}

/** Encodes the end of the archive: [ZIP64 end record + locator] + end of central directory record (empty comment). */
export function encodeEnd(end: ZipEndFields): Buffer {
  const classic = Buffer.alloc(22);
  classic.writeUInt32LE(END_SIGNATURE, 0);
  const count = end.zip64 ? Math.min(end.entryCount, ZIP64_MARKER_16) : end.entryCount;
  classic.writeUInt16LE(count, 8);
  classic.writeUInt16LE(count, 10);
  classic.writeUInt32LE(end.zip64 ? Math.min(end.centralSize, ZIP64_MARKER_32) : end.centralSize, 12);
  classic.writeUInt32LE(end.zip64 ? Math.min(end.centralOffset, ZIP64_MARKER_32) : end.centralOffset, 16);
  if (!end.zip64) return classic;

  const record = Buffer.alloc(56);
  record.writeUInt32LE(ZIP64_END_SIGNATURE, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(HOST_UNIX | VERSION_ZIP64, 12);
  record.writeUInt16LE(VERSION_ZIP64, 14);
  // disk numbers (4 + 4): 0
  record.writeBigUInt64LE(BigInt(end.entryCount), 24);
  record.writeBigUInt64LE(BigInt(end.entryCount), 32);
  record.writeBigUInt64LE(BigInt(end.centralSize), 40);
  record.writeBigUInt64LE(BigInt(end.centralOffset), 48);

  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(ZIP64_LOCATOR_SIGNATURE, 0);
  locator.writeBigUInt64LE(BigInt(end.centralOffset + end.centralSize), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, classic]);
}
