import { open } from 'node:fs/promises';

import { INTEGRITY_PATH, createIntegrityRecord, serializeIntegrityRecord } from '../integrity/record.js';
import { MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import type { EntryCompression } from '../zip/compression-policy.js';
import { ZipWriter, type ZipEntryRecord } from '../zip/zip-writer.js';
import { ARCHIVE_FORMAT_TRAITS } from '../vocabulary/archive-formats.js';
import type { BuiltEntry } from './build-options.js';
import { outputWriteError } from '../fs/io-errors.js';
import type { WriteJob, WriteOutcome } from './write-job.js';

const toBuilt = (record: ZipEntryRecord): BuiltEntry => ({
  path: record.name,
  size: record.size,
  sha256: record.sha256 ?? '',
  method: record.method,
});

/**
 * Writes a `.mar` zip (formats `default` and `zip-store`) to the job's temporary path: the plan's files in order,
 * then `MAR-INF/MANIFEST.json`, then `MAR-INF/integrity.json` (SHA-256 and size of every entry before it).
 */
export async function writeZip(job: WriteJob): Promise<WriteOutcome> {
  const { plan, progress } = job;
  const compression: EntryCompression = ARCHIVE_FORMAT_TRAITS[plan.format].storeOnly ? 'store' : plan.compression;
  const handle = await open(job.temporaryPath, 'wx').catch((error: unknown) => {
    throw outputWriteError(error, job.temporaryPath);
  });
  try {
    const zip = new ZipWriter(handle, job.temporaryPath, {
      date: plan.timestamp,
      level: plan.compressionLevel,
      ...(job.signal ? { signal: job.signal } : {}),
      ...(job.zip64Limit === undefined ? {} : { zip64Limit: job.zip64Limit }),
    });
    const entries: BuiltEntry[] = [];
    for (const file of plan.files) {
      progress.startEntry(file.archivePath);
      const record = await zip.addFile(file.archivePath, file.sourcePath, {
        compression,
        mode: file.mode,
        onBytes: progress.addBytes,
      });
      entries.push(toBuilt(record));
      progress.endEntry();
    }
    progress.startEntry(MANIFEST_PATH);
    entries.push(toBuilt(await zip.addBuffer(MANIFEST_PATH, job.manifestBytes, { compression, onBytes: progress.addBytes })));
    progress.endEntry();
    const record = serializeIntegrityRecord(createIntegrityRecord(entries));
    progress.startEntry(INTEGRITY_PATH);
    await zip.addBuffer(INTEGRITY_PATH, Buffer.from(record, 'utf8'), { compression });
    progress.endEntry();
    const { bytesWritten } = await zip.finish();
    await handle.close().catch((error: unknown) => {
      throw outputWriteError(error, job.temporaryPath);
    });
    return { entries, bytesOut: bytesWritten };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
