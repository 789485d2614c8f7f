/**
 * A deliberately independent, minimal zip parser for tests: reads the end records, every central directory header and
 * the matching local header, with raw field values, so tests can assert on bytes the writer produced.
 */
import { inflateRawSync } from 'node:zlib';

export interface ParsedEntry {
  name: string;
  madeBy: number;
  versionNeeded: number;
  flags: number;
  method: number;
  dosTime: number;
  dosDate: number;
  crc32: number;
  compressedSize: number;
  size: number;
  externalAttributes: number;
  offset: number;
  centralExtra: Buffer;
  local: { versionNeeded: number; flags: number; method: number; crc32: number; compressedSize32: number; size32: number; extra: Buffer };
  data: Buffer;
}

export interface ParsedZip {
  entries: ParsedEntry[];
  zip64End: boolean;
  comment: Buffer;
}

const zip64Values = (extra: Buffer): bigint[] => {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 1) {
      const values: bigint[] = [];
      for (let i = 0; i < length; i += 8) values.push(extra.readBigUInt64LE(at + 4 + i));
      return values;
    }
    at += 4 + length;
  }
  return [];
};

/** Parses a whole zip held in memory. Throws on anything unexpected. */
export function parseZip(zip: Buffer): ParsedZip {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error('no end record');
  let count = zip.readUInt16LE(endAt + 10);
  let centralSize = zip.readUInt32LE(endAt + 12);
  let centralOffset = zip.readUInt32LE(endAt + 16);
  const comment = zip.subarray(endAt + 22, endAt + 22 + zip.readUInt16LE(endAt + 20));
  const zip64End = endAt >= 20 && zip.readUInt32LE(endAt - 20) === 0x07064b50;
  if (zip64End) {
    const recordAt = Number(zip.readBigUInt64LE(endAt - 20 + 8));
    if (zip.readUInt32LE(recordAt) !== 0x06064b50) throw new Error('bad zip64 end record');
    count = Number(zip.readBigUInt64LE(recordAt + 32));
    centralSize = Number(zip.readBigUInt64LE(recordAt + 40));
    centralOffset = Number(zip.readBigUInt64LE(recordAt + 48));
  }
  const entries: ParsedEntry[] = [];
  let at = centralOffset;
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header at ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const centralExtra = zip.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    const z64 = zip64Values(centralExtra);
    let size = zip.readUInt32LE(at + 24);
    let compressedSize = zip.readUInt32LE(at + 20);
    let offset = zip.readUInt32LE(at + 42);
    if (size === 0xffffffff) size = Number(z64.shift());
    if (compressedSize === 0xffffffff) compressedSize = Number(z64.shift());
    if (offset === 0xffffffff) offset = Number(z64.shift());
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (zip.readUInt32LE(offset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const localName = zip.readUInt16LE(offset + 26);
    const localExtraLength = zip.readUInt16LE(offset + 28);
    const dataAt = offset + 30 + localName + localExtraLength;
    const raw = zip.subarray(dataAt, dataAt + compressedSize);
    const method = zip.readUInt16LE(at + 10);
    entries.push({
      name,
      madeBy: zip.readUInt16LE(at + 4),
      versionNeeded: zip.readUInt16LE(at + 6),
      flags: zip.readUInt16LE(at + 8),
      method,
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      crc32: zip.readUInt32LE(at + 16),
      compressedSize,
      size,
      externalAttributes: zip.readUInt32LE(at + 38),
      offset,
      centralExtra,
      local: {
        versionNeeded: zip.readUInt16LE(offset + 4),
        flags: zip.readUInt16LE(offset + 6),
        method: zip.readUInt16LE(offset + 8),
        crc32: zip.readUInt32LE(offset + 14),
        compressedSize32: zip.readUInt32LE(offset + 18),
        size32: zip.readUInt32LE(offset + 22),
        extra: zip.subarray(offset + 30 + localName, dataAt),
      },
      data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (at !== centralOffset + centralSize) throw new Error('central directory size mismatch');
  return { entries, zip64End, comment };
}
