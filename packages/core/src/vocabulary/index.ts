/**
 * The vocabulary's public list: every fact of the format that is not a manifest shape, each stated once (zod-free).
 * Both entry points (`index.ts`, `read-entry.ts`) re-export this list whole, so it is written here only.
 */
export {
  MANIFEST_FLAVOURS,
  WRITABLE_FLAVOURS,
  MANIFEST_PATH,
  LEGACY_MANIFEST_PATH,
  isWritableFlavour,
} from './manifest-flavours.js';
export type { ManifestFlavour, WritableFlavour } from './manifest-flavours.js';
export {
  RUNTIMES,
  RUNTIMES_BY_FLAVOUR,
  PYTHON_RUNTIMES,
  defaultRuntimeOf,
  isPythonRuntime,
  isRuntime,
  isRuntimeOf,
} from './runtimes.js';
export type { PythonRuntime, Runtime } from './runtimes.js';
export { ARCHIVE_FORMATS, ARCHIVE_FORMAT_TRAITS, isArchiveFormat } from './archive-formats.js';
export type { ArchiveFormat, ArchiveFormatTraits } from './archive-formats.js';
export { CONTAINER_FORMATS } from './container-formats.js';
export type { ContainerFormat } from './container-formats.js';
export {
  COMPRESSION_MODES,
  COMPRESSION_LEVELS,
  checkCompressionLevel,
  isCompressionLevel,
  isCompressionMode,
} from './compression.js';
export type { CompressionMode } from './compression.js';
export { ARCHIVE_SUFFIXES, stripArchiveSuffix } from './archive-suffix.js';
export {
  LABEL_FILE,
  nestedLabelFiles,
  NODE_BUILTIN_HANDLERS,
  TORCHSERVE_BUILTIN_HANDLERS,
  TORCHSERVE_LSP_BUILTIN_HANDLERS,
  builtinHandlersOf,
  isBuiltinHandler,
  isNodeBuiltinHandler,
} from './builtin-handlers.js';
export type {
  NodeBuiltinHandler,
  TorchServeBuiltinHandler,
  TorchServeLspBuiltinHandler,
} from './builtin-handlers.js';
export { NODE_HANDLER_EXTENSIONS, hasNodeHandlerExtension, nodeModuleCandidates } from './node-handler-paths.js';
export type { NodeHandlerExtension } from './node-handler-paths.js';
export { pythonModuleCandidates } from './python-handler-paths.js';
export { parseHandlerString } from './handler-string.js';
export type { ParsedHandler } from './handler-string.js';
export {
  MODEL_NAME_PATTERN,
  MODEL_NAME_MAX_LENGTH,
  MODEL_VERSION_PATTERN,
  MODEL_VERSION_MAX_LENGTH,
  findModelNameProblem,
  findModelVersionProblem,
  validateModelName,
  validateModelVersion,
} from './model-names.js';
export type { ModelNameProblem, ModelVersionProblem } from './model-names.js';

