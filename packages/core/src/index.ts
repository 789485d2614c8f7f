/**
 * @packageDocumentation
 * Core of model-archiver: manifest schemas (MMS 1.0, TorchServe, this project's Node flavour, legacy MMS 0.x),
 * the archive builder (`.mar` zip, zip-store, `.tar.gz`, folder) and the safe archive reader.
 */

// --- errors ---
export { ErrorCode, ModelArchiveError, isModelArchiveError } from './errors.js';
export type { ErrorDetails, ModelArchiveErrorOptions } from './errors.js';

// --- manifest ---
export { MANIFEST_PATH, LEGACY_MANIFEST_PATH } from './manifest/flavour.js';
export type { ManifestFlavour, Runtime } from './manifest/flavour.js';

// --- integrity ---
export {
  INTEGRITY_PATH,
  SIGNATURE_PATH,
  IntegrityRecordSchema,
  SignatureSchema,
  createIntegrityRecord,
  serializeIntegrityRecord,
  parseIntegrityRecord,
} from './integrity/record.js';
export type { IntegrityFile, IntegrityRecord, Signature } from './integrity/record.js';

// --- build ---
export type {
  ArchiveFormat,
  BuildOptions,
  BuildProgress,
  BuildResult,
  BuiltEntry,
  CompressionMode,
} from './build/build-options.js';

// --- read ---
export type {
  ArchiveEntryInfo,
  ArchiveManifest,
  ContainerFormat,
  EntryType,
  ModelArchive,
  ReadLimits,
} from './read/archive-types.js';

// --- inspect / verify / sign / lint ---
