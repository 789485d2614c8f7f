import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

import { ModelArchiveError, isModelArchiveError } from '../errors.js';
import { createManifest } from '../manifest/create.js';
import { serializeManifest } from '../manifest/serialize.js';
import { commitOutput, discardOutput, prepareOutput, removeCreatedFolders } from '../fs/atomic-output.js';
import type { BuildOptions, BuildResult } from './build-options.js';
import { throwIfAborted } from '../fs/io-errors.js';
import { planArchive } from './plan/plan-archive.js';
import type { ArchivePlan } from './plan/plan-types.js';
import { writeFolder } from './write-folder.js';
import { ProgressTracker, type WriteJob, type WriteOutcome } from './write-job.js';
import { writeTgz } from './write-tgz.js';
import { writeZip } from './write-zip.js';
import type { ArchiveFormat } from '../vocabulary/archive-formats.js';

/** @internal Knobs for tests; not part of the public options. */
export interface BuildInternals {
  /** Sizes and offsets at or above this use ZIP64 (default 0xFFFFFFFF). */
  zip64Limit?: number;
}

/** The writer of each output format (a format without one does not compile). */
const WRITERS: Record<ArchiveFormat, (job: WriteJob) => Promise<WriteOutcome>> = {
  default: writeZip,
  'zip-store': writeZip,
  tgz: writeTgz,
  'no-archive': writeFolder,
};

function manifestOf(plan: ArchivePlan): Record<string, unknown> {
  return createManifest({
    flavour: plan.flavour,
    modelName: plan.modelName,
    handler: plan.manifestHandler,
    runtime: plan.runtime,
    createdOn: plan.timestamp,
    ...(plan.version === undefined ? {} : { version: plan.version }),
    ...(plan.description === undefined ? {} : { description: plan.description }),
    ...plan.manifestFiles,
  }) as Record<string, unknown>;
}

const asCoded = (error: unknown, signal: AbortSignal | undefined): ModelArchiveError => {
  if (signal?.aborted && !(isModelArchiveError(error) && error.code === 'ABORTED')) {
    return new ModelArchiveError('ABORTED', 'The build was cancelled', { cause: signal.reason });
  }
  if (isModelArchiveError(error)) return error;
  return new ModelArchiveError('INTERNAL', `Unexpected error while building: ${String(error)}`, { cause: error });
};

/**
 * Builds a model archive: plans the inputs, creates the manifest, writes the output to a temporary sibling and
 * renames it into place. The output is reproducible (sorted entries, fixed timestamps and modes, UTC times);
 * `MAR-INF/integrity.json` (SHA-256 and size of every entry) is the last entry. An existing output is never touched
 * without `force` (`OUTPUT_EXISTS`); on any failure or abort nothing is left behind and a coded error is thrown
 * (`INPUT_READ_FAILED`, `OUTPUT_WRITE_FAILED`, `ABORTED`, or the planner's codes).
 *
 * @example
 * const result = await buildArchive({
 *   modelName: 'squeezenet',
 *   handler: 'image_classifier',
 *   serializedFile: 'squeezenet.onnx',
 *   version: '1.0',
 *   exportPath: 'model-store',
 * });
 * console.log(result.outputPath, result.bytesOut, result.entries.length);
 */
export async function buildArchive(options: BuildOptions, internals: BuildInternals = {}): Promise<BuildResult> {
  const started = performance.now();
  const { signal } = options;
  let temporaryPath: string | undefined;
  let created: { folder: string; createdFolder: string | undefined } | undefined;
  try {
    throwIfAborted(signal);
    const plan = await planArchive(options);
    const manifest = manifestOf(plan);
    const manifestBytes = Buffer.from(serializeManifest(manifest), 'utf8');
    throwIfAborted(signal);
    const kind = plan.format === 'no-archive' ? 'folder' : 'file';
    const prepared = await prepareOutput(plan.outputPath, plan.force);
    temporaryPath = prepared.temporary;
    created = { folder: dirname(plan.outputPath), createdFolder: prepared.createdFolder };
    const bytesTotal = plan.files.reduce((sum, file) => sum + file.size, manifestBytes.length);
    const progress = new ProgressTracker(bytesTotal, plan.files.length + 2, options.onProgress);
    const outcome = await WRITERS[plan.format]({
      plan,
      manifestBytes,
      temporaryPath,
      progress,
      ...(signal ? { signal } : {}),
      ...(internals.zip64Limit === undefined ? {} : { zip64Limit: internals.zip64Limit }),
    });
    throwIfAborted(signal);
    const committing = temporaryPath;
    temporaryPath = undefined;
    const replaced = await commitOutput(committing, plan.outputPath, kind, plan.force);
    return {
      outputPath: plan.outputPath,
      format: plan.format,
      flavour: plan.flavour,
      flavourReason: plan.flavourReason,
      manifest,
      entries: outcome.entries,
      bytesIn: outcome.entries.reduce((sum, entry) => sum + entry.size, 0),
      bytesOut: outcome.bytesOut,
      durationMs: performance.now() - started,
      replaced,
      warnings: [...plan.warnings],
    };
  } catch (error) {
    if (temporaryPath !== undefined) await discardOutput(temporaryPath);
    if (created !== undefined) await removeCreatedFolders(created.folder, created.createdFolder);
    throw asCoded(error, signal);
  }
}
