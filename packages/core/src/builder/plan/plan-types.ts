import type { ArchiveFormat } from '../../vocabulary/archive-formats.js';
import type { CompressionMode } from '../../vocabulary/compression.js';
import type { WritableFlavour } from '../../vocabulary/manifest-flavours.js';
import type { Runtime } from '../../vocabulary/runtimes.js';

/** One file the writer puts into the archive. */
export interface PlannedFile {
  /** Path inside the archive: forward slashes, relative, no `.`/`..` segments. */
  archivePath: string;
  /** Absolute path of the bytes to store (symbolic links resolved). */
  sourcePath: string;
  /** Size in bytes, from `stat` at planning time. */
  size: number;
  /** Normalised mode: `0o755` if the source has any execute bit, else `0o644`. */
  mode: 0o644 | 0o755;
}

/** Manifest values naming files of the archive (TorchServe `model.*File` fields). */
export interface PlannedManifestFiles {
  serializedFile?: string;
  modelFile?: string;
  requirementsFile?: string;
  configFile?: string;
}

/** Manifest flavours the builder can write. */
export type BuildFlavour = WritableFlavour;

/**
 * Everything the archive writer needs, decided up front by `planArchive`: validated names, the flavour and why,
 * the manifest's handler and file fields, and the sorted list of files with their archive paths.
 */
export interface ArchivePlan {
  modelName: string;
  format: ArchiveFormat;
  flavour: BuildFlavour;
  /** Why this flavour was chosen (explicit option, or the inference rule that applied). */
  flavourReason: string;
  runtime: Runtime;
  version?: string;
  /** Exact `model.handler` string for the manifest. */
  manifestHandler: string;
  /** Manifest `model.*File` values (archive paths at the root). */
  manifestFiles: PlannedManifestFiles;
  description?: string;
  /** Files to store, sorted by archive path in byte order of UTF-8 (`Buffer.compare`). */
  files: PlannedFile[];
  /** Absolute export folder (not created by the planner). */
  exportPath: string;
  /** Absolute output path: `exportPath/modelName` + `.mar`, `.tar.gz` or nothing (`no-archive`). */
  outputPath: string;
  /** Entry timestamp (also TorchServe `createdOn`), already clamped to the zip range. */
  timestamp: Date;
  compression: CompressionMode;
  compressionLevel: number;
  force: boolean;
  /** Non-fatal notices (unmatched globs, skipped special files, handler module not found, ...). */
  warnings: string[];
}
