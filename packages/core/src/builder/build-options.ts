import type { ArchiveFormat } from '../vocabulary/archive-formats.js';
import type { CompressionMode } from '../vocabulary/compression.js';
import type { WritableFlavour } from '../vocabulary/manifest-flavours.js';
import type { Runtime } from '../vocabulary/runtimes.js';

/** Progress of a build, reported to {@link BuildOptions.onProgress}. */
export interface BuildProgress {
  /** Bytes of input read so far. */
  bytesDone: number;
  /** Bytes of input in all. */
  bytesTotal: number;
  /** Entries written so far. */
  entriesDone: number;
  /** Entries in all. */
  entriesTotal: number;
  /** Archive path of the entry being written. */
  currentEntry: string;
}

/**
 * Options of `buildArchive`. Relative paths are resolved against `cwd`.
 * Flags of both reference archivers map 1:1 onto these fields (see docs/cli.md).
 */
export interface BuildOptions {
  /** Model name (`--model-name`); checked against `^[A-Za-z0-9][A-Za-z0-9_\-.]*$`. */
  modelName: string;
  /** Handler string (`--handler`): a built-in name, `module[:function]`, or a file path `[dir/]module[.py|.mjs|.js|.cjs][:function]`. */
  handler: string;
  /** Model version (`-v/--version`); required for the TorchServe flavour; no `/`, whitespace or empty string. */
  version?: string;
  /** Runtime recorded in the manifest; default derived from the flavour (`python` or `node`). */
  runtime?: Runtime;
  /** Manifest flavour to write; inferred when absent (docs/manifest.md "Choosing the flavour"). */
  flavour?: WritableFlavour;
  /** MMS `--model-path`: a folder whose whole tree is archived (MMS filters plus `.marignore`). */
  modelPath?: string;
  /** TorchServe `--serialized-file`: stored at the archive root. */
  serializedFile?: string;
  /** TorchServe `--model-file`: stored at the archive root. */
  modelFile?: string;
  /** TorchServe `--extra-files`: files, folders and globs; folder layout kept unless {@link flattenExtraFiles}. */
  extraFiles?: readonly string[];
  /** Reproduce TorchServe's flattening of extra files (folders' children at the root); collisions are still refused. */
  flattenExtraFiles?: boolean;
  /** TorchServe `-r/--requirements-file`: stored at the archive root. */
  requirementsFile?: string;
  /** TorchServe `-c/--config-file`: stored at the archive root. */
  configFile?: string;
  /** Free-text model description (manifest `model.description`, where the flavour has it). */
  description?: string;
  /** Where the output goes (`--export-path`); default `cwd`; created if missing. */
  exportPath?: string;
  /** Output format; default `default` (zip). */
  archiveFormat?: ArchiveFormat;
  /** Replace an existing output (atomically). */
  force?: boolean;
  /** Extra ignore file (gitignore syntax) on top of `<modelPath>/.marignore`; `false` disables `.marignore` lookup. */
  ignoreFile?: string | false;
  /** Entry timestamp (and TorchServe `createdOn`); default from `SOURCE_DATE_EPOCH`, else 1980-01-01T00:00:00Z. */
  timestamp?: Date;
  /** Compression policy for `default` format; default `auto` (store incompressible data, deflate the rest). */
  compression?: CompressionMode;
  /** Deflate level 1-9 (default 6, the reference tools' level; `COMPRESSION_LEVELS`). */
  compressionLevel?: number;
  /** Base folder for relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Environment used for `SOURCE_DATE_EPOCH`; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Cancels the build; nothing is left behind. */
  signal?: AbortSignal;
  /** Called as data is written (throttled by the caller if needed). */
  onProgress?: (progress: BuildProgress) => void;
}

/** One entry of a built archive, as recorded in the integrity record. */
export interface BuiltEntry {
  /** Archive path (forward slashes, relative to the archive root). */
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
  /** Lowercase hex SHA-256 of the uncompressed bytes. */
  sha256: string;
  /** How the entry was stored (`store`, `deflate`; `file` for tgz/no-archive). */
  method: 'store' | 'deflate' | 'file';
}

/** What `buildArchive` did. */
export interface BuildResult {
  /** Absolute path of the archive file or folder written. */
  outputPath: string;
  format: ArchiveFormat;
  flavour: WritableFlavour;
  /** Why this flavour was chosen (explicit option, or the inference rule that applied). */
  flavourReason: string;
  /** The manifest object written to `MAR-INF/MANIFEST.json`. */
  manifest: Record<string, unknown>;
  /** Every entry written, in archive order, including `MAR-INF/MANIFEST.json` (not the integrity record itself). */
  entries: BuiltEntry[];
  /** Total uncompressed bytes of the entries. */
  bytesIn: number;
  /** Size of the output file (sum of file sizes for `no-archive`). */
  bytesOut: number;
  /** Wall time of the build. */
  durationMs: number;
  /** True if an existing output was replaced (`force`). */
  replaced: boolean;
  /** Non-fatal notices (unmatched globs, ignored files, ...). */
  warnings: string[];
}
