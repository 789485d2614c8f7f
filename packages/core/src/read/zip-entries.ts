import { ModelArchiveError } from '../errors.js';
import type { ArchiveEntryInfo, EntryType, ReadLimits } from './archive-types.js';
import { exceedsRatio } from './limits.js';
import { normalizeEntryPath } from './safe-path.js';
import { yauzlExtra, type YauzlEntry } from './zip-reader.js';

const S_IFMT = 0o170000;
const TYPES = new Map<number, EntryType>([
  [0o100000, 'file'],
  [0o040000, 'directory'],
  [0o120000, 'symlink'],
]);

/** File type from the central directory: Unix mode bits when the entry was made on Unix, else the name's trailing slash. */
function entryType(raw: YauzlEntry, name: string): { type: EntryType; mode?: number } {
  if (raw.versionMadeBy >> 8 === 3) {
    const mode = raw.externalFileAttributes >>> 16;
    const kind = mode & S_IFMT;
    if (kind !== 0) return { type: name.endsWith('/') ? 'directory' : (TYPES.get(kind) ?? 'special'), mode: mode & 0o7777 };
    if (mode !== 0) return { type: name.endsWith('/') ? 'directory' : 'file', mode: mode & 0o7777 };
  }
  if (name.endsWith('/') || (raw.externalFileAttributes & 0x10) !== 0) return { type: 'directory' };
  return { type: 'file' };
}

/**
 * Checks one central directory entry (open-time checks) and describes it: `ARCHIVE_MULTI_DISK` (disk number),
 * `ENTRY_ENCRYPTED`, `ENTRY_UNSUPPORTED_METHOD`, the name checks of {@link normalizeEntryPath}, `ENTRY_SIZE_MISMATCH`
 * (stored entry whose two sizes differ), `LIMIT_COMPRESSION_RATIO`. Returns `undefined` for the root folder entry.
 */
export function describeZipEntry(raw: YauzlEntry, diskStart: number, archive: string, limits: ReadLimits): ArchiveEntryInfo | undefined {
  const name = yauzlExtra.getFileNameLowLevel(raw.generalPurposeBitFlag, raw.fileNameRaw, raw.extraFields, true);
  const details = { archive, entry: name };
  if (diskStart !== 0) {
    throw new ModelArchiveError('ARCHIVE_MULTI_DISK', `Entry ${name} starts on disk ${diskStart}`, { details });
  }
  if ((raw.generalPurposeBitFlag & 0x41) !== 0) {
    throw new ModelArchiveError('ENTRY_ENCRYPTED', `Entry ${name} is encrypted`, { details });
  }
  if (raw.compressionMethod !== 0 && raw.compressionMethod !== 8) {
    throw new ModelArchiveError('ENTRY_UNSUPPORTED_METHOD', `Entry ${name} uses compression method ${raw.compressionMethod}`, {
      details: { ...details, method: raw.compressionMethod },
    });
  }
  // cp437 decoding turns control bytes into symbols: check the raw bytes too.
  if (raw.fileNameRaw.some((b) => b < 0x20 || b === 0x7f)) {
    throw new ModelArchiveError('ENTRY_NUL_BYTE', `Entry name contains a NUL byte or control character: ${JSON.stringify(name)}`, { details });
  }
  const path = normalizeEntryPath(name, limits);
  const { type, mode } = entryType(raw, name);
  if (path === '') {
    if (type === 'directory') return undefined;
    throw new ModelArchiveError('ENTRY_PATH_TRAVERSAL', `Entry name ${JSON.stringify(name)} names the archive root`, { details });
  }
  if (raw.compressionMethod === 0 && raw.compressedSize !== raw.uncompressedSize) {
    throw new ModelArchiveError('ENTRY_SIZE_MISMATCH', `Stored entry ${name} declares ${raw.compressedSize} stored and ${raw.uncompressedSize} real bytes`, {
      details: { ...details, compressedSize: raw.compressedSize, size: raw.uncompressedSize },
    });
  }
  if (type === 'file' && exceedsRatio(raw.uncompressedSize, raw.compressedSize, limits)) {
    throw new ModelArchiveError('LIMIT_COMPRESSION_RATIO', `Entry ${name} expands ${raw.uncompressedSize} / ${raw.compressedSize} bytes, over the ratio limit`, {
      details: { ...details, size: raw.uncompressedSize, compressedSize: raw.compressedSize, limit: limits.maxCompressionRatio },
    });
  }
  const info: ArchiveEntryInfo = {
    path,
    type,
    size: raw.uncompressedSize,
    compressedSize: raw.compressedSize,
    method: raw.compressionMethod === 8 ? 'deflate' : 'store',
    crc32: raw.crc32,
    mtime: raw.getLastModDate(),
    dataDescriptor: (raw.generalPurposeBitFlag & 0x8) !== 0,
  };
  if (mode !== undefined) info.mode = mode;
  return info;
}

/**
 * Open-time layout check: sorted by local header offset, each local header (30 bytes + name) plus its compressed
 * data must end before the next one starts and before the central directory (`ENTRY_OVERLAP`; two central entries
 * sharing one local header is the overlapping-zip-bomb trick), and inside the file (`ARCHIVE_TRUNCATED`).
 * Returns, per entry, where its data must end: checked exactly when the entry is read (the local extra field length
 * is only known then).
 */
export function checkZipLayout(raws: readonly YauzlEntry[], cdOffset: number, fileSize: number, archive: string): Map<YauzlEntry, number> {
  const sorted = [...raws].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  const limits = new Map<YauzlEntry, number>();
  for (let i = 0; i < sorted.length; i += 1) {
    const raw = sorted[i] as YauzlEntry;
    const start = raw.relativeOffsetOfLocalHeader;
    const end = start + 30 + raw.fileNameLength + raw.compressedSize;
    const next = sorted[i + 1]?.relativeOffsetOfLocalHeader ?? cdOffset;
    const entry = raw.fileNameRaw.toString('latin1');
    const details = { archive, entry, start, end, next };
    if (end > fileSize) {
      throw new ModelArchiveError('ARCHIVE_TRUNCATED', `Entry ${entry} runs past the end of the file`, { details });
    }
    if (end > next || start >= cdOffset) {
      throw new ModelArchiveError('ENTRY_OVERLAP', `Entry ${entry} overlaps the next record`, { details });
    }
    limits.set(raw, next);
  }
  return limits;
}
