import { isBuiltinHandler } from '../vocabulary/builtin-handlers.js';
import { parseHandlerString } from '../vocabulary/handler-string.js';
import { nodeModuleCandidates } from '../vocabulary/node-handler-paths.js';
import { pythonModuleCandidates } from '../vocabulary/python-handler-paths.js';
import type { Runtime } from '../vocabulary/runtimes.js';

/** Where a manifest's handler string points inside an archive. */
export interface HandlerTarget {
  /** The handler string from the manifest. */
  handler: string;
  /** `python` covers `python`, `python2`, `python3`; `LSP` handlers are native libraries and are not resolved. */
  language: 'python' | 'node' | 'native';
  /** A built-in handler of the runtime (nothing to find in the archive). */
  builtin: boolean;
  /** Archive paths that would be loaded, in the loader's order. */
  candidates: string[];
  /** The first candidate present in the archive. */
  found?: string;
  /** The function named after `:`, if any. */
  functionName?: string;
}

/** Resolves a handler string against the entries of an archive, following the loader of its runtime. */
export function resolveHandlerTarget(
  handler: string,
  runtime: Runtime | string | undefined,
  hasEntry: (path: string) => boolean,
): HandlerTarget {
  const language = runtime === 'node' ? 'node' : runtime === 'LSP' ? 'native' : 'python';
  const trimmed = handler.trim();
  const { module: modulePart, function: functionName } = parseHandlerString(trimmed);
  const target: HandlerTarget = { handler, language, builtin: false, candidates: [] };
  if (functionName !== undefined) target.functionName = functionName;
  if (language === 'native') return target;
  target.candidates = language === 'node' ? nodeModuleCandidates(modulePart) : pythonModuleCandidates(modulePart);
  const found = target.candidates.find(hasEntry);
  if (found !== undefined) target.found = found;
  // A module in the archive wins over a built-in of the same name (both runtimes try the archive first).
  if (found === undefined && isBuiltinHandler(trimmed, language === 'node' ? 'node' : 'python')) target.builtin = true;
  return target;
}
