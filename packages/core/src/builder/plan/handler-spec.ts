import type { Runtime } from '../../manifest/flavour.js';

/** TorchServe's built-in handlers for `python`/`python3` (keys of `model_handlers`): nothing is copied for them. */
export const TORCHSERVE_BUILTIN_HANDLERS: readonly string[] = [
  'base_handler',
  'text_classifier',
  'image_classifier',
  'object_detector',
  'image_segmenter',
  'dali_image_classifier',
  'vllm_handler',
  'trt_llm_handler',
];

/** TorchServe's built-in handlers for runtime `LSP`. */
export const TORCHSERVE_LSP_BUILTIN_HANDLERS: readonly string[] = ['BaseHandler', 'TorchScriptHandler'];

/** Built-in handlers of `@model-archiver/runtime` (node flavour). */
export const NODE_BUILTIN_HANDLERS: readonly string[] = ['onnx', 'image_classifier'];

/** Extensions tried, in order, for a node handler module without one. */
export const JS_EXTENSIONS: readonly string[] = ['.mjs', '.js', '.cjs'];

/** A handler string split into its file (or module) part and optional function. */
export interface HandlerSpec {
  /** The string as given. */
  raw: string;
  /** Path or module name: everything before `:function`. */
  filePart: string;
  /** The function after the last `:`, if any. */
  fn?: string;
}

const FUNCTION_NAME = /^[A-Za-z_$][\w$]*$/;

/**
 * Splits `[dir/]module[.ext][:function]`. The function is the text after the LAST `:` when it is an identifier;
 * otherwise the colon belongs to the path, so Windows paths (`C:\x\h.py`, `C:\x\h.py:fn`) work.
 *
 * @example
 * parseHandler('dir/h.py:fn'); // { filePart: 'dir/h.py', fn: 'fn' }
 * parseHandler('C:\\m\\h.py'); // { filePart: 'C:\\m\\h.py' }
 */
export const parseHandler = (raw: string): HandlerSpec => {
  const colon = raw.lastIndexOf(':');
  if (colon > 0) {
    const fn = raw.slice(colon + 1);
    if (FUNCTION_NAME.test(fn)) return { raw, filePart: raw.slice(0, colon), fn };
  }
  return { raw, filePart: raw };
};

/** Last segment of a handler path, splitting on `/` and `\` whatever the platform. */
export const handlerBaseName = (filePart: string): string => filePart.split(/[\\/]/).pop() ?? filePart;

/** True when the last segment has an extension (`h.py`, `svc.mjs`; not `h`, `.hidden`). */
export const hasExtension = (filePart: string): boolean => {
  const base = handlerBaseName(filePart);
  return base.lastIndexOf('.') > 0;
};

/** Extension of the last segment, lower-cased (`.py`), or `''`. */
export const extensionOf = (filePart: string): string => {
  const base = handlerBaseName(filePart);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
};

/** `filePart:fn` (or `filePart`). */
export const withFunction = (filePart: string, spec: HandlerSpec): string =>
  spec.fn === undefined ? filePart : `${filePart}:${spec.fn}`;

/** True when TorchServe treats the handler string as a built-in for this runtime (nothing to copy). */
export const isTorchServeBuiltin = (handler: string, runtime: Runtime): boolean =>
  runtime === 'LSP' ? TORCHSERVE_LSP_BUILTIN_HANDLERS.includes(handler) : TORCHSERVE_BUILTIN_HANDLERS.includes(handler);

/**
 * The file TorchServe/MMS copies for a handler path: `.py` appended when the last segment has no extension
 * (`.so`, or `.dylib` on macOS, for runtime `LSP`).
 */
export const pythonHandlerFile = (filePart: string, runtime: Runtime): string => {
  if (hasExtension(filePart)) return filePart;
  if (runtime === 'LSP') return filePart + (process.platform === 'darwin' ? '.dylib' : '.so');
  return `${filePart}.py`;
};
