/**
 * @packageDocumentation
 * Core of model-archiver: manifest schemas (MMS 1.0, TorchServe, this project's Node flavour, legacy MMS 0.x),
 * the archive builder (`.mar` zip, zip-store, `.tar.gz`, folder) and the safe archive reader.
 */

// --- errors ---
export { ErrorCode, ModelArchiveError, isModelArchiveError } from './errors.js';

// --- utilities ---
export { fromFloat16Bits, toFloat16Bits } from './tensor/float16.js';
export { mapWithConcurrency } from './map-with-concurrency.js';
export type { ErrorDetails, ModelArchiveErrorOptions } from './errors.js';

// --- vocabulary (zod-free; the list is vocabulary/index.ts, re-exported whole by both entry points) ---
export * from './vocabulary/index.js';
// --- manifest ---
export {
  MmsManifestSchema,
  MmsModelSchema,
  MmsEngineSchema,
  MmsPublisherSchema,
  MmsRuntimeSchema,
} from './manifest/schema-mms.js';
export type { MmsManifest, MmsManifestInput, MmsRuntime } from './manifest/schema-mms.js';
export {
  TorchServeManifestSchema,
  TorchServeModelSchema,
  TorchServeRuntimeSchema,
} from './manifest/schema-torchserve.js';
export type { TorchServeManifest, TorchServeManifestInput, TorchServeRuntime } from './manifest/schema-torchserve.js';
export { NodeManifestSchema, NodeModelSchema, NODE_MANIFEST_VERSION } from './manifest/schema-node.js';
export type { NodeManifest, NodeManifestInput } from './manifest/schema-node.js';
export {
  LegacyMmsManifestSchema,
  LegacyMmsModelSchema,
  LegacyMmsCreatedBySchema,
} from './manifest/schema-legacy.js';
export type { LegacyMmsManifest, LegacyMmsManifestInput } from './manifest/schema-legacy.js';
export { MANIFEST_SCHEMAS } from './manifest/schemas.js';
export type { AnyManifest, ManifestByFlavour, ParsedManifest } from './manifest/schemas.js';
export { detectFlavour } from './manifest/detect.js';
export { parseManifest, safeParseManifest } from './manifest/parse.js';
export type { ManifestIssue, ParseManifestOptions, SafeParseManifestResult } from './manifest/parse.js';
export {
  MANIFEST_RULES,
  checkManifestRules,
  fileReferencesAreSafe,
  findArchivePathProblem,
  handlerIsNotBlank,
  nodeHandlerIsSafe,
} from './manifest/rules.js';
export type { ManifestRule, ManifestRuleIssue } from './manifest/rules.js';
export { createManifest } from './manifest/create.js';
export type { CreateManifestInput, WritableManifestFlavour } from './manifest/create.js';
export { serializeManifest, pythonJsonString, pythonJsonNumber } from './manifest/serialize.js';
export { migrateLegacyManifest } from './manifest/migrate.js';
export { formatTorchServeDate, parseTorchServeDate, formatIsoUtc } from './manifest/dates.js';
export { ARCHIVER_VERSION, TORCHSERVE_ARCHIVER_VERSION, MMS_MANIFEST_VERSION } from './manifest/versions.js';
export {
  MANIFEST_JSON_SCHEMA_DEFS,
  buildManifestJsonSchema,
  serializeManifestJsonSchema,
} from './manifest/json-schema.js';

// --- integrity ---
export {
  INTEGRITY_PATH,
  SIGNATURE_PATH,
  IntegrityRecordSchema,
  SignatureSchema,
  createIntegrityRecord,
  serializeIntegrityRecord,
  parseIntegrityRecord,
  parseSignature,
} from './integrity/record.js';
export type { IntegrityFile, IntegrityRecord, Signature } from './integrity/record.js';
export { parseIntegrityRecordLazily, parseSignatureLazily } from './integrity/parse-lazily.js';
export { checkManifest, safeValidateManifest, validateManifest } from './manifest/validate-manifest.js';

// --- build ---
export type { BuildOptions, BuildProgress, BuildResult, BuiltEntry } from './builder/build-options.js';
export { planArchive } from './builder/plan/plan-archive.js';
export type { ArchivePlan, BuildFlavour, PlannedFile, PlannedManifestFiles } from './builder/plan/plan-types.js';
export { buildArchive } from './builder/build-archive.js';
export { ZipWriter } from './zip/zip-writer.js';
export type { RawZipEntry, ZipEntryOptions, ZipEntryRecord, ZipFinishResult, ZipWriterOptions } from './zip/zip-writer.js';
export { DENSE_EXTENSIONS, isDenseByName, probeMethod } from './zip/compression-policy.js';
export type { EntryCompression, EntryMethod } from './zip/compression-policy.js';

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
export { normalizeEntryPath, isSafeEntryPath, resolveLinkTarget, checkNameCollisions } from './read/safe-path.js';
export type { PathLimits, NamedEntry } from './read/safe-path.js';
export { extractArchive } from './extract/extract-archive.js';
export type { ExtractOptions, ExtractResult } from './extract/extract-archive.js';
export type { IntegrityDiff } from './extract/integrity-compare.js';

// --- inspect / verify / sign / lint ---
export { inspectArchive, inspectOnnxModels } from './inspect/inspect-archive.js';
export type { InspectOptions, InspectProblem, InspectReport, InspectedEntry, InspectedOnnxModel } from './inspect/inspect-archive.js';
export { readOnnxInfo } from './inspect/onnx-info.js';
export type { OnnxModelInfo, OnnxOpset, OnnxValueInfo } from './inspect/onnx-info.js';
export { buildFileTree } from './inspect/file-tree.js';
export type { FileTreeNode, SizedPath } from './inspect/file-tree.js';
export { verifyArchive, verificationError, compareListing } from './verify/verify-archive.js';
export type { ModifiedEntry, VerifyFailure, VerifyOptions, VerifyReport } from './verify/verify-archive.js';
export type { ArchiveSource } from './verify/with-archive.js';
export { generateSigningKeys, keyIdOf, readPrivateKey, readPublicKey } from './integrity/keys.js';
export type { KeyInput, SigningKeys } from './integrity/keys.js';
export { checkSignature, createSignature, serializeSignature } from './integrity/signature.js';
export type { SignatureCheck } from './integrity/signature.js';
export { signArchive } from './sign/sign-archive.js';
export type { SignOptions, SignResult } from './sign/sign-archive.js';
export { lintArchive } from './lint/lint-archive.js';
export type { ArchiveLintResult, LintArchiveOptions } from './lint/lint-archive.js';
export { expandArchiveInputs, lintArchives } from './lint/lint-archives.js';
export type { LintArchivesOptions, LintReport } from './lint/lint-archives.js';
export { ARCHIVE_UNREADABLE_RULE, LINT_RULES, LINT_RULE_INFO } from './lint/lint-rules.js';
export type { LintContext, LintFinding, LintIssue, LintManifest, LintRule, LintRuleInfo, LintSeverity } from './lint/lint-types.js';
export { scanModuleExports } from './lint/module-exports.js';
export type { ModuleExports } from './lint/module-exports.js';
export { resolveHandlerTarget } from './lint/handler-target.js';
export type { HandlerTarget } from './lint/handler-target.js';
export { ORT_MAX_OPSET, ORT_MIN_OPSET } from './lint/rules/onnx-rules.js';
