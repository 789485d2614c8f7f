/**
 * @packageDocumentation
 * `@model-archiver/core/read`: the reading side of core for consumers that start often and only read archives (the
 * runtime, servers). It loads no schema library up front: a manifest or an integrity record is validated by schemas
 * imported on first use, so a process that only opens archives, reads entries or extracts them never loads zod.
 * Everything here is also exported by the package's main entry point.
 */

// --- errors ---
export { ErrorCode, ModelArchiveError, isModelArchiveError } from './errors.js';
export type { ErrorDetails, ModelArchiveErrorOptions } from './errors.js';

// --- utilities ---
export { fromFloat16Bits, toFloat16Bits } from './tensor/float16.js';
export { mapWithConcurrency } from './map-with-concurrency.js';

// --- vocabulary (zod-free; the same block is in index.ts and read-entry.ts) ---
export {
  MANIFEST_FLAVOURS,
  WRITABLE_FLAVOURS,
  MANIFEST_PATH,
  LEGACY_MANIFEST_PATH,
  isWritableFlavour,
} from './vocabulary/manifest-flavours.js';
export type { ManifestFlavour, WritableFlavour } from './vocabulary/manifest-flavours.js';
export {
  RUNTIMES,
  RUNTIMES_BY_FLAVOUR,
  PYTHON_RUNTIMES,
  defaultRuntimeOf,
  isPythonRuntime,
  isRuntime,
  isRuntimeOf,
} from './vocabulary/runtimes.js';
export type { PythonRuntime, Runtime } from './vocabulary/runtimes.js';
export { ARCHIVE_FORMATS, ARCHIVE_FORMAT_TRAITS, isArchiveFormat } from './vocabulary/archive-formats.js';
export type { ArchiveFormat, ArchiveFormatTraits } from './vocabulary/archive-formats.js';
export { CONTAINER_FORMATS } from './vocabulary/container-formats.js';
export type { ContainerFormat } from './vocabulary/container-formats.js';
export {
  COMPRESSION_MODES,
  COMPRESSION_LEVELS,
  checkCompressionLevel,
  isCompressionLevel,
  isCompressionMode,
} from './vocabulary/compression.js';
export type { CompressionMode } from './vocabulary/compression.js';
export { ARCHIVE_SUFFIXES, stripArchiveSuffix } from './vocabulary/archive-suffix.js';
export {
  LABEL_FILE,
  NODE_BUILTIN_HANDLERS,
  TORCHSERVE_BUILTIN_HANDLERS,
  TORCHSERVE_LSP_BUILTIN_HANDLERS,
  builtinHandlersOf,
  isBuiltinHandler,
  isNodeBuiltinHandler,
} from './vocabulary/builtin-handlers.js';
export type {
  NodeBuiltinHandler,
  TorchServeBuiltinHandler,
  TorchServeLspBuiltinHandler,
} from './vocabulary/builtin-handlers.js';
export { NODE_HANDLER_EXTENSIONS, hasNodeHandlerExtension, nodeModuleCandidates } from './vocabulary/node-handler-paths.js';
export type { NodeHandlerExtension } from './vocabulary/node-handler-paths.js';
export { pythonModuleCandidates } from './vocabulary/python-handler-paths.js';
export { parseHandlerString } from './vocabulary/handler-string.js';
export type { ParsedHandler } from './vocabulary/handler-string.js';
export {
  MODEL_NAME_PATTERN,
  MODEL_NAME_MAX_LENGTH,
  MODEL_VERSION_PATTERN,
  MODEL_VERSION_MAX_LENGTH,
  findModelNameProblem,
  findModelVersionProblem,
  validateModelName,
  validateModelVersion,
} from './vocabulary/model-names.js';
export type { ModelNameProblem, ModelVersionProblem } from './vocabulary/model-names.js';

// --- paths ---
export { INTEGRITY_PATH, SIGNATURE_PATH } from './integrity/paths.js';

// --- manifest types (type-only: erased at run time, so no schema library is loaded) ---
export type { AnyManifest, ManifestByFlavour, ParsedManifest } from './manifest/schemas.js';

// --- integrity ---
export { parseIntegrityRecordLazily } from './integrity/parse-record-lazily.js';
export type { IntegrityFile, IntegrityRecord } from './integrity/record.js';

// --- read ---
export type {
  ArchiveEntryInfo,
  ArchiveManifest,
  EntryType,
  ModelArchive,
  ReadLimits,
} from './read/archive-types.js';
export { openArchive } from './read/open-archive.js';
export { manifestModel } from './read/manifest-model.js';
export type { ManifestModel } from './read/manifest-model.js';
export type { OpenArchiveOptions } from './read/open-archive.js';
export { DEFAULT_READ_LIMITS, resolveReadLimits } from './read/limits.js';
export { extractArchive } from './extract/extract-archive.js';
export type { ExtractOptions, ExtractResult } from './extract/extract-archive.js';
