import { ModelArchiveError } from '../errors.js';
import type { EntryMethod } from './compression-policy.js';
import { toDosDateTime } from './dos-time.js';
import { METHOD_DEFLATE, METHOD_STORE, type ZipHeaderFields } from './zip-records.js';

/**
 * Header fields of a new entry before its data is written (CRC and compressed size are filled in later).
 * The entry uses ZIP64 when its size, or the worst case of deflate growth, may reach `zip64Limit`: the decision is
 * made up front because the local header is written before the data.
 */
export function headerFields(
  name: string,
  method: EntryMethod,
  size: number,
  mode: number,
  date: Date,
  zip64Limit: number,
): ZipHeaderFields {
  const encoded = Buffer.from(name, 'utf8');
  if (name.length === 0 || encoded.length > 0xffff) {
    throw new ModelArchiveError('INVALID_OPTION', `Invalid zip entry name: ${JSON.stringify(name)}`, { details: { name } });
  }
  const { time, date: day } = toDosDateTime(date);
  // Deflate may grow incompressible data a little (stored blocks: 5 bytes per 16 KiB, plus flush markers).
  const worstCase = method === 'store' ? size : size + Math.ceil(size / 128) + 1024;
  return {
    name: encoded,
    method: method === 'store' ? METHOD_STORE : METHOD_DEFLATE,
    dosTime: time,
    dosDate: day,
    crc32: 0,
    size,
    compressedSize: method === 'store' ? size : 0,
    zip64: worstCase >= zip64Limit,
    // A regular file (S_IFREG) with the given permission bits, as `zipfile` writes `st_mode << 16`.
    externalAttributes: ((0o100000 | (mode & 0o7777)) << 16) >>> 0,
  };
}
