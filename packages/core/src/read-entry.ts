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
export { mapWithConcurrency } from './map-with-concurrency.js';

// --- paths ---
export { MANIFEST_PATH, LEGACY_MANIFEST_PATH } from './manifest/flavour.js';
export type { ManifestFlavour } from './manifest/flavour.js';
export { INTEGRITY_PATH, SIGNATURE_PATH } from './integrity/paths.js';
// (a reader names what it extracts after the archive's model: e.g. `model-archiver extract`'s default folder)
export { MODEL_NAME_PATTERN } from './manifest/names.js';

// --- integrity ---
export { parseIntegrityRecordLazily } from './integrity/parse-record-lazily.js';
export type { IntegrityFile, IntegrityRecord } from './integrity/record.js';

// --- read ---
export type {
  ArchiveEntryInfo,
  ArchiveManifest,
  ContainerFormat,
  EntryType,
  ModelArchive,
  ReadLimits,
} from './read/archive-types.js';
export { openArchive } from './read/open-archive.js';
export type { OpenArchiveOptions } from './read/open-archive.js';
export { DEFAULT_READ_LIMITS, resolveReadLimits } from './read/limits.js';
export { extractArchive } from './extract/extract-archive.js';
export type { ExtractOptions, ExtractResult } from './extract/extract-archive.js';
