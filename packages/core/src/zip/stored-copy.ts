import { crc32 } from 'node:zlib';

import { throwIfAborted } from '../fs/io-errors.js';
import type { FileSource } from './file-source.js';

/** Size of each read when storing a file. */
export const STORE_BUFFER_SIZE = 4 * 1024 * 1024;

/** Computes SHA-256 over chunks read into its own buffers (see `WorkerSha256`, `InlineSha256`). */
export interface ChunkHasher {
  readonly buffers: Buffer[];
  update(index: number, length: number): Promise<void>;
  digest(): Promise<string>;
}

/** What {@link copyStored} read. */
export interface StoredCopy {
  size: number;
  crc32: number;
  sha256: string;
}

/**
 * Copies a file to `sink` unchanged while computing CRC-32 (here) and SHA-256 (by `hasher`), with reads, hashing and
 * writes overlapped over the hasher's rotating buffers: one read ahead, one hashed, one written. A buffer is refilled
 * only once both its write (awaited one iteration later) and its hash are done.
 */
export async function copyStored(
  source: FileSource,
  hasher: ChunkHasher,
  sink: (chunk: Buffer) => Promise<void>,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void },
): Promise<StoredCopy> {
  const { buffers } = hasher;
  const hashed: Promise<void>[] = buffers.map(() => Promise.resolve());
  let checksum = 0;
  let position = 0;
  let write: Promise<void> = Promise.resolve();
  let read = source.readAt(buffers[0]!, 0, STORE_BUFFER_SIZE);
  try {
    for (let i = 0; ; i += 1) {
      const bytes = await read;
      if (bytes === 0) break;
      throwIfAborted(options.signal);
      const index = i % buffers.length;
      const chunk = buffers[index]!.subarray(0, bytes);
      position += bytes;
      const nextIndex = (i + 1) % buffers.length;
      if (bytes < STORE_BUFFER_SIZE) read = Promise.resolve(0);
      else {
        await hashed[nextIndex];
        read = source.readAt(buffers[nextIndex]!, position, STORE_BUFFER_SIZE);
      }
      hashed[index] = hasher.update(index, bytes);
      hashed[index]!.catch(() => undefined);
      checksum = crc32(chunk, checksum);
      await write;
      write = sink(chunk);
      options.onBytes?.(bytes);
    }
    await write;
    await Promise.all(hashed);
    return { size: position, crc32: checksum, sha256: await hasher.digest() };
  } finally {
    read.catch(() => undefined);
    write.catch(() => undefined);
  }
}
