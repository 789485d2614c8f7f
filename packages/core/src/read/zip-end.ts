import type { FileHandle } from 'node:fs/promises';

import { ModelArchiveError } from '../errors.js';

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const EOCD_SIZE = 22;
const LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;

/** Where the central directory is, from the end-of-central-directory records. */
export interface ZipEnd {
  /** Offset of the first central directory header. */
  cdOffset: number;
  /** Byte length of the central directory. */
  cdSize: number;
  /** Number of central directory entries. */
  entryCount: number;
  /** Offset of the first end record (ZIP64 record when present, else the classic one): the central directory ends here. */
  endOffset: number;
}

const u64 = (buf: Buffer, at: number): number => buf.readUInt32LE(at + 4) * 0x1_0000_0000 + buf.readUInt32LE(at);

/**
 * Finds and checks the end records of a zip by reading only its tail: `ARCHIVE_MULTI_DISK` for any disk number other
 * than 0 or split-archive counts, `ARCHIVE_TRUNCATED` when a zip that starts with a local header has no end record,
 * `ARCHIVE_CORRUPT` when the central directory does not fit before the end records, `LIMIT_ENTRY_COUNT` over the limit.
 */
export async function readZipEnd(file: FileHandle, fileSize: number, archive: string, maxEntries: number): Promise<ZipEnd> {
  const corrupt = (reason: string): ModelArchiveError =>
    new ModelArchiveError('ARCHIVE_CORRUPT', `Archive is corrupt: ${archive} (${reason})`, { details: { archive, reason } });
  const tailSize = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT + LOCATOR_SIZE);
  const tail = Buffer.alloc(tailSize);
  await file.read(tail, 0, tailSize, fileSize - tailSize);
  let at = -1;
  for (let i = tailSize - EOCD_SIZE; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tailSize) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    const head = Buffer.alloc(4);
    await file.read(head, 0, Math.min(4, fileSize), 0);
    if (head.readUInt32LE(0) === 0x04034b50) {
      throw new ModelArchiveError('ARCHIVE_TRUNCATED', `Archive is truncated: ${archive} (no end of central directory record)`, {
        details: { archive },
      });
    }
    throw corrupt('no end of central directory record');
  }
  const eocd = tail.subarray(at);
  const eocdOffset = fileSize - tailSize + at;
  let disk = eocd.readUInt16LE(4);
  let cdDisk = eocd.readUInt16LE(6);
  let entriesHere = eocd.readUInt16LE(8);
  let entryCount = eocd.readUInt16LE(10);
  let cdSize = eocd.readUInt32LE(12);
  let cdOffset = eocd.readUInt32LE(16);
  let endOffset = eocdOffset;
  if (at >= LOCATOR_SIZE && tail.readUInt32LE(at - LOCATOR_SIZE) === ZIP64_LOCATOR_SIG) {
    const locator = tail.subarray(at - LOCATOR_SIZE, at);
    const recordOffset = u64(locator, 8);
    if (locator.readUInt32LE(4) !== 0 || locator.readUInt32LE(16) > 1) {
      throw new ModelArchiveError('ARCHIVE_MULTI_DISK', `Archive spans several disks: ${archive}`, { details: { archive } });
    }
    if (recordOffset + ZIP64_EOCD_SIZE > eocdOffset - LOCATOR_SIZE) throw corrupt('ZIP64 end record outside the file');
    const record = Buffer.alloc(ZIP64_EOCD_SIZE);
    await file.read(record, 0, ZIP64_EOCD_SIZE, recordOffset);
    if (record.readUInt32LE(0) !== ZIP64_EOCD_SIG) throw corrupt('bad ZIP64 end record signature');
    disk = record.readUInt32LE(16);
    cdDisk = record.readUInt32LE(20);
    entriesHere = u64(record, 24);
    entryCount = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
    endOffset = recordOffset;
  }
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== entryCount) {
    throw new ModelArchiveError('ARCHIVE_MULTI_DISK', `Archive spans several disks: ${archive}`, {
      details: { archive, disk, cdDisk, entriesHere, entryCount },
    });
  }
  if (entryCount > maxEntries) {
    throw new ModelArchiveError('LIMIT_ENTRY_COUNT', `Archive has ${entryCount} entries; the limit is ${maxEntries}`, {
      details: { archive, entries: entryCount, limit: maxEntries },
    });
  }
  if (cdOffset + cdSize > endOffset) throw corrupt('central directory overlaps the end records or lies past them');
  if (entryCount * 46 > cdSize) throw corrupt('central directory too small for its entry count');
  return { cdOffset, cdSize, entryCount, endOffset };
}
