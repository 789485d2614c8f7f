import { isModelArchiveError, ModelArchiveError } from '../errors.js';

/** Where the error happened, for details. */
export interface ErrorContext {
  archive: string;
  entry?: string;
}

const has = (error: Error, text: string): boolean => error.message.toLowerCase().includes(text);

/**
 * Maps the low-level errors of yauzl, node-tar, zlib and fs raised while reading an archive to coded errors; the
 * original goes into `cause`. Errors it does not recognise are returned unchanged (they are bugs, not bad input).
 */
export function toArchiveError(error: unknown, context: ErrorContext): unknown {
  if (isModelArchiveError(error) || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const tarCode = (error as { tarCode?: unknown }).tarCode;
  const details = { ...context, reason: error.message };
  const make = (c: ConstructorParameters<typeof ModelArchiveError>[0], what: string): ModelArchiveError =>
    new ModelArchiveError(c, `${what}: ${context.entry ?? context.archive} (${error.message})`, { cause: error, details });

  if (code === 'ENOENT') return make('ARCHIVE_NOT_FOUND', 'Archive not found');
  if (has(error, 'unexpected eof') || has(error, 'unexpected end of file') || has(error, 'overflows file bounds')) {
    return make('ARCHIVE_TRUNCATED', 'Archive is truncated');
  }
  if (typeof tarCode === 'string' && has(error, 'truncated input')) return make('ARCHIVE_TRUNCATED', 'Archive is truncated');
  if (has(error, 'multi-disk')) return make('ARCHIVE_MULTI_DISK', 'Archive spans several disks');
  if (has(error, 'encrypt')) return make('ENTRY_ENCRYPTED', 'Entry is encrypted');
  if (has(error, 'unsupported compression method')) return make('ENTRY_UNSUPPORTED_METHOD', 'Unsupported compression method');
  if (has(error, 'size mismatch') || has(error, 'bytes in the stream') || has(error, 'not enough bytes')) {
    return make('ENTRY_SIZE_MISMATCH', 'Entry size differs from its header');
  }
  if (has(error, 'max decompression ratio')) return make('LIMIT_COMPRESSION_RATIO', 'Compression ratio over the limit');
  if (
    typeof tarCode === 'string' ||
    code === 'Z_DATA_ERROR' ||
    code === 'Z_BUF_ERROR' ||
    code === 'ERR_OUT_OF_RANGE' ||
    code === 'ERR_BUFFER_OUT_OF_BOUNDS' ||
    has(error, 'signature') ||
    has(error, 'invalid') ||
    has(error, 'extra field') ||
    has(error, 'zip64') ||
    has(error, 'comment length')
  ) {
    return make('ARCHIVE_CORRUPT', 'Archive is corrupt');
  }
  return error;
}
