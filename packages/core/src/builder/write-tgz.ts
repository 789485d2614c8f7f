import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import type { Header, Pack } from 'tar-stream';

import { INTEGRITY_PATH, createIntegrityRecord, serializeIntegrityRecord } from '../integrity/record.js';
import { MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import { FileSource } from '../zip/file-source.js';
import type { BuiltEntry } from './build-options.js';
import { outputWriteError, throwIfAborted } from '../fs/io-errors.js';
import type { WriteJob, WriteOutcome } from './write-job.js';

const READ_SIZE = 1024 * 1024;

type Headers = Partial<Header> & Pick<Header, 'name'>;
type Sink = ReturnType<Pack['entry']>;

/** Fixed, machine-independent tar header fields (uid/gid 0, empty user and group names, the plan's mtime). */
const header = (name: string, size: number, mode: number, mtime: Date): Headers => ({
  name,
  size,
  mode,
  mtime,
  uid: 0,
  gid: 0,
  uname: '',
  gname: '',
  type: 'file',
});

/** Adds one entry and resolves when tar-stream has taken all of it. */
function addEntry(tar: Pack, head: Headers, write: (sink: Sink) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sink = tar.entry(head, (error?: Error | null) => (error ? reject(error) : resolve()));
    sink.on('error', () => undefined); // reported through the callback or by the caller destroying the pack
    write(sink).then(() => (sink as unknown as { end(): void }).end(), reject);
  });
}

/** Streams one file into a tar entry, hashing on the way (no second read). */
async function streamFile(
  sink: Sink,
  source: FileSource,
  hash: ReturnType<typeof createHash>,
  job: WriteJob,
): Promise<number> {
  let position = 0;
  for (;;) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, Math.max(source.size - position, 1)));
    const bytes = await source.readAt(buffer, position);
    if (bytes === 0) break;
    throwIfAborted(job.signal);
    const chunk = buffer.subarray(0, bytes);
    hash.update(chunk);
    position += bytes;
    job.progress.addBytes(bytes);
    if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
    if (position >= source.size) break;
  }
  await source.checkComplete(position);
  return position;
}

/**
 * Writes a `.tar.gz` to the job's temporary path: every entry under `<modelName>/`, files in plan order, then the
 * manifest, then the integrity record; reproducible headers (uid/gid 0, empty names, fixed mtime, normalised modes)
 * and a gzip header without a timestamp.
 */
export async function writeTgz(job: WriteJob): Promise<WriteOutcome> {
  const { plan, progress } = job;
  const root = `${plan.modelName}/`;
  const { pack: createPack } = await import('tar-stream'); // loaded on use: only .tar.gz output needs it
  const tar = createPack();
  const done = pipeline(
    tar as unknown as NodeJS.ReadableStream,
    createGzip({ level: plan.compressionLevel }),
    createWriteStream(job.temporaryPath, { flags: 'wx' }),
  ).catch((error: unknown) => {
    throw outputWriteError(error, job.temporaryPath);
  });
  done.catch(() => undefined);
  const entries: BuiltEntry[] = [];
  try {
    for (const file of plan.files) {
      progress.startEntry(file.archivePath);
      const source = await FileSource.open(file.sourcePath);
      try {
        const hash = createHash('sha256');
        let size = 0;
        await addEntry(tar, header(root + file.archivePath, source.size, file.mode, plan.timestamp), async (sink) => {
          size = await streamFile(sink, source, hash, job);
        });
        entries.push({ path: file.archivePath, size, sha256: hash.digest('hex'), method: 'file' });
      } finally {
        await source.close();
      }
      progress.endEntry();
    }
    const addBuffer = async (path: string, bytes: Buffer): Promise<void> => {
      progress.startEntry(path);
      await addEntry(tar, header(root + path, bytes.length, 0o644, plan.timestamp), async (sink) => {
        sink.write(bytes);
      });
      progress.addBytes(bytes.length);
      progress.endEntry();
    };
    await addBuffer(MANIFEST_PATH, job.manifestBytes);
    const manifestSha = createHash('sha256').update(job.manifestBytes).digest('hex');
    entries.push({ path: MANIFEST_PATH, size: job.manifestBytes.length, sha256: manifestSha, method: 'file' });
    const record = serializeIntegrityRecord(createIntegrityRecord(entries));
    await addBuffer(INTEGRITY_PATH, Buffer.from(record, 'utf8'));
    tar.finalize();
    await done;
  } catch (error) {
    tar.destroy(error as Error);
    await done.catch(() => undefined);
    throw error;
  }
  const bytesOut = (await stat(job.temporaryPath)).size;
  return { entries, bytesOut };
}
