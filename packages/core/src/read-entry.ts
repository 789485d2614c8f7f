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

// --- vocabulary (zod-free; the list is vocabulary/index.ts, re-exported whole by both entry points) ---
export * from './vocabulary/index.js';
// --- paths ---
export { INTEGRITY_PATH, SIGNATURE_PATH } from './integrity/paths.js';

// --- manifest types (type-only: erased at run time, so no schema library is loaded) ---
export type { AnyManifest, ManifestByFlavour, ParsedManifest } from './manifest/schemas.js';

// --- integrity ---
export { parseIntegrityRecordLazily, parseSignatureLazily } from './integrity/parse-lazily.js';
export { checkManifest, safeValidateManifest, validateManifest } from './manifest/validate-manifest.js';
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
