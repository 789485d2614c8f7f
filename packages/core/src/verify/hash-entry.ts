import { nodeCrypto } from '../node-crypto.js';

import type { Readable } from 'node:stream';

import type { ModelArchive } from '../read/archive-types.js';

/** Size and SHA-256 of an entry's uncompressed bytes. */
export interface EntryDigest {
  size: number;
  /** Lowercase hex SHA-256. */
  sha256: string;
}

/** Streams one file entry through SHA-256 (the reader checks CRC-32 and the declared size while streaming). */
export async function hashEntry(archive: ModelArchive, path: string, signal?: AbortSignal): Promise<EntryDigest> {
  return hashStream(await archive.openEntry(path), signal);
}

/** SHA-256 and size of what `stream` yields; a fired `signal` destroys it. */
export async function hashStream(stream: Readable, signal?: AbortSignal): Promise<EntryDigest> {
  const hash = nodeCrypto().createHash('sha256');
  let size = 0;
  const abort = (): void => {
    stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  };
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      hash.update(bytes);
    }
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return { size, sha256: hash.digest('hex') };
}
