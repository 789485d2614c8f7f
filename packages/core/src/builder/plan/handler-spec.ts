import { isBuiltinHandler } from '../../vocabulary/builtin-handlers.js';
import { parseHandlerString } from '../../vocabulary/handler-string.js';
import type { Runtime } from '../../vocabulary/runtimes.js';

/** A handler string split into its file (or module) part and optional function (the builder's view of it). */
export interface HandlerSpec {
  /** The string as given. */
  raw: string;
  /** Path or module name: everything before `:function`. */
  filePart: string;
  /** The function after the last `:`, if any. */
  fn?: string;
}

/**
 * Splits `[dir/]module[.ext][:function]` with the vocabulary's {@link parseHandlerString} (the rule shared with the
 * linter and the runtime), keeping the string as given for messages.
 *
 * @example
 * parseHandler('dir/h.py:fn'); // { raw: 'dir/h.py:fn', filePart: 'dir/h.py', fn: 'fn' }
 * parseHandler('C:\\m\\h.py'); // { raw: 'C:\\m\\h.py', filePart: 'C:\\m\\h.py' }
 */
export const parseHandler = (raw: string): HandlerSpec => {
  const parsed = parseHandlerString(raw);
  return parsed.function === undefined ? { raw, filePart: parsed.module } : { raw, filePart: parsed.module, fn: parsed.function };
};

/** Last segment of a handler path, splitting on `/` and `\` whatever the platform. */
export const handlerBaseName = (filePart: string): string => filePart.split(/[\\/]/).pop() ?? filePart;

/** True when the last segment has an extension (`h.py`, `svc.mjs`; not `h`, `.hidden`). */
export const hasExtension = (filePart: string): boolean => {
  const base = handlerBaseName(filePart);
  return base.lastIndexOf('.') > 0;
};

/** `filePart:fn` (or `filePart`). */
export const withFunction = (filePart: string, spec: HandlerSpec): string =>
  spec.fn === undefined ? filePart : `${filePart}:${spec.fn}`;

/** True when TorchServe treats the handler string as a built-in for this runtime (nothing to copy). */
export const isTorchServeBuiltin = (handler: string, runtime: Runtime): boolean => runtime !== 'node' && isBuiltinHandler(handler, runtime);

/**
 * The file TorchServe/MMS copies for a handler path: `.py` appended when the last segment has no extension
 * (`.so`, or `.dylib` on macOS, for runtime `LSP`).
 */
export const pythonHandlerFile = (filePart: string, runtime: Runtime): string => {
  if (hasExtension(filePart)) return filePart;
  if (runtime === 'LSP') return filePart + (process.platform === 'darwin' ? '.dylib' : '.so');
  return `${filePart}.py`;
};
