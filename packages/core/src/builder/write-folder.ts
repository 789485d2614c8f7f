import { createHash } from 'node:crypto';
import { access, chmod, constants, copyFile, mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { INTEGRITY_PATH, createIntegrityRecord, serializeIntegrityRecord } from '../integrity/record.js';
import { MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import { FileSource } from '../zip/file-source.js';
import type { BuiltEntry } from './build-options.js';
import { inputReadError, outputWriteError, throwIfAborted } from '../fs/io-errors.js';
import type { WriteJob, WriteOutcome } from './write-job.js';

const HASH_BUFFER = 4 * 1024 * 1024;

/** SHA-256 and size of a file, read once with large buffers. */
async function hashFile(path: string, onBytes: (bytes: number) => void): Promise<{ sha256: string; size: number }> {
  const source = await FileSource.open(path);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafeSlow(Math.min(HASH_BUFFER, Math.max(source.size, 1)));
    let size = 0;
    for (;;) {
      const bytes = await source.readAt(buffer, size);
      if (bytes === 0) break;
      hash.update(buffer.subarray(0, bytes));
      size += bytes;
      onBytes(bytes);
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await source.close();
  }
}

/** Kernel copy (copy_file_range / reflink where available) with errors attributed to the input or the output. */
async function copyOne(sourcePath: string, target: string): Promise<void> {
  try {
    await copyFile(sourcePath, target, constants.COPYFILE_EXCL);
  } catch (error) {
    const readable = await access(sourcePath, constants.R_OK).then(
      () => true,
      () => false,
    );
    throw readable ? outputWriteError(error, target) : inputReadError(error, sourcePath);
  }
}

/**
 * Writes the `no-archive` layout (a folder `<modelName>/` with the files, `MAR-INF/MANIFEST.json` and
 * `MAR-INF/integrity.json`) at the job's temporary path. Files are copied by the kernel and hashed from the copy;
 * modes are normalised and modification times set to the plan's timestamp.
 */
export async function writeFolder(job: WriteJob): Promise<WriteOutcome> {
  const { plan, progress } = job;
  const root = job.temporaryPath;
  const entries: BuiltEntry[] = [];
  let bytesOut = 0;
  const output = async <T>(path: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw outputWriteError(error, path);
    }
  };
  await output(root, () => mkdir(root));
  const made = new Set<string>([root]);
  const ensureFolder = async (folder: string): Promise<void> => {
    if (made.has(folder)) return;
    await output(folder, () => mkdir(folder, { recursive: true }));
    made.add(folder);
  };
  for (const file of plan.files) {
    throwIfAborted(job.signal);
    progress.startEntry(file.archivePath);
    const target = join(root, ...file.archivePath.split('/'));
    await ensureFolder(dirname(target));
    await copyOne(file.sourcePath, target);
    const { sha256, size } = await hashFile(target, progress.addBytes);
    await output(target, async () => {
      await chmod(target, file.mode);
      await utimes(target, plan.timestamp, plan.timestamp);
    });
    entries.push({ path: file.archivePath, size, sha256, method: 'file' });
    bytesOut += size;
    progress.endEntry();
  }
  const writeBytes = async (path: string, bytes: Buffer): Promise<void> => {
    throwIfAborted(job.signal);
    progress.startEntry(path);
    const target = join(root, ...path.split('/'));
    await ensureFolder(dirname(target));
    await output(target, async () => {
      await writeFile(target, bytes, { flag: 'wx', mode: 0o644 });
      await chmod(target, 0o644);
      await utimes(target, plan.timestamp, plan.timestamp);
    });
    progress.addBytes(bytes.length);
    bytesOut += bytes.length;
    progress.endEntry();
  };
  await writeBytes(MANIFEST_PATH, job.manifestBytes);
  const manifestSha = createHash('sha256').update(job.manifestBytes).digest('hex');
  entries.push({ path: MANIFEST_PATH, size: job.manifestBytes.length, sha256: manifestSha, method: 'file' });
  await writeBytes(INTEGRITY_PATH, Buffer.from(serializeIntegrityRecord(createIntegrityRecord(entries)), 'utf8'));
  return { entries, bytesOut };
}
