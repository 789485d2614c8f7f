import type { ModelArchive, ReadLimits } from '../read/archive-types.js';
import { openArchive } from '../read/open-archive.js';

/** An archive path to open with the safe reader, or an archive the caller already opened (and will close). */
export type ArchiveSource = string | ModelArchive;

/** Runs `fn` on an opened archive; opens (and afterwards closes) it when given a path. */
export async function withArchive<T>(
  source: ArchiveSource,
  limits: Partial<ReadLimits> | undefined,
  fn: (archive: ModelArchive) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (typeof source !== 'string') return fn(source);
  const archive = await openArchive(source, { ...(limits === undefined ? {} : { limits }), ...(signal === undefined ? {} : { signal }) });
  try {
    return await fn(archive);
  } finally {
    await archive.close();
  }
}
