import type { Runtime } from './runtimes.js';

/**
 * TorchServe 0.12's built-in handlers for runtimes `python`/`python3` (keys of `model_handlers`; resolved from
 * `ts.torch_handler`): nothing is copied into the archive for them.
 */
export const TORCHSERVE_BUILTIN_HANDLERS = [
  'base_handler',
  'text_classifier',
  'image_classifier',
  'object_detector',
  'image_segmenter',
  'dali_image_classifier',
  'vllm_handler',
  'trt_llm_handler',
] as const;

/** A TorchServe built-in handler name. */
export type TorchServeBuiltinHandler = (typeof TORCHSERVE_BUILTIN_HANDLERS)[number];

/** TorchServe's built-in handlers for runtime `LSP` (its C++ backend). */
export const TORCHSERVE_LSP_BUILTIN_HANDLERS = ['BaseHandler', 'TorchScriptHandler'] as const;

/** A TorchServe `LSP` built-in handler name. */
export type TorchServeLspBuiltinHandler = (typeof TORCHSERVE_LSP_BUILTIN_HANDLERS)[number];

/** Built-in handlers of `@model-archiver/runtime` (runtime `node`). */
export const NODE_BUILTIN_HANDLERS = ['onnx', 'image_classifier'] as const;

/** A built-in handler name of `@model-archiver/runtime`. */
export type NodeBuiltinHandler = (typeof NODE_BUILTIN_HANDLERS)[number];

/** The built-in handler names of a runtime's loader (MMS has none: every Python runtime here is TorchServe's list). */
export const builtinHandlersOf = (runtime: Runtime | string | undefined): readonly string[] => {
  if (runtime === 'node') return NODE_BUILTIN_HANDLERS;
  if (runtime === 'LSP') return TORCHSERVE_LSP_BUILTIN_HANDLERS;
  return TORCHSERVE_BUILTIN_HANDLERS;
};

/** True when `handler` (the whole string) names a built-in handler of the runtime's loader. */
export const isBuiltinHandler = (handler: string, runtime: Runtime | string | undefined): boolean =>
  builtinHandlersOf(runtime).includes(handler);

/** True when `handler` names a built-in handler of `@model-archiver/runtime`. */
export const isNodeBuiltinHandler = (handler: string): handler is NodeBuiltinHandler =>
  (NODE_BUILTIN_HANDLERS as readonly string[]).includes(handler);

/**
 * Label file that TorchServe's BaseHandler and the built-in `image_classifier` (both runtimes) read from the model
 * folder's root (never from a subfolder).
 */
export const LABEL_FILE = 'index_to_name.json';

/**
 * The label files the handlers will not find: copies of {@link LABEL_FILE} in a subfolder when there is none at the
 * archive root (the builder's warning and lint rule MA025).
 */
export const nestedLabelFiles = (paths: readonly string[]): string[] =>
  paths.includes(LABEL_FILE) ? [] : paths.filter((p) => p.endsWith(`/${LABEL_FILE}`));
