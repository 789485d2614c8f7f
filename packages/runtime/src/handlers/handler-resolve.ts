/**
 * Handler string -> handler. `module[:function]`, split by core's `parseHandlerString` (the rule the builder and the
 * linter use, docs/handlers.md); the module is a path inside the archive (nested folders allowed,
 * `/` or `\` separators, extension optional: `.mjs`, `.js`, `.cjs` are tried), the function defaults to `handle`.
 * Without a `handle` export the module's default export (or its only exported class) is the handler class. A named
 * function that does not exist is an error naming the module's exports (the reference loaders silently fall back
 * to class mode instead). Built-in names resolve only when no module of that name is in the archive, and an import
 * failure is always reported with its real cause (never masked by a built-in lookup).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  ModelArchiveError,
  NODE_BUILTIN_HANDLERS,
  isNodeBuiltinHandler,
  nodeModuleCandidates,
  parseHandlerString,
  type ParsedHandler,
} from '@model-archiver/core/read';

import { BUILTIN_HANDLERS } from './builtin/index.js';
import { firstExistingFile } from './first-existing-file.js';
import { classHandler, functionHandler, instanceHandler, isClass, type HandlerInstance, type HandlerRuntime } from './handler-forms.js';

let importCounter = 0;

const importModule = async (file: string, archivePath: string): Promise<Record<string, unknown>> => {
  // A query makes a fresh module instance per load (ESM caches by URL), so two loads never share handler state.
  importCounter += 1;
  const url = `${pathToFileURL(file).href}?load=${importCounter}`;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (cause) {
    const error = cause instanceof Error ? cause : new Error(String(cause));
    throw new ModelArchiveError(
      'HANDLER_IMPORT_FAILED',
      `Importing handler module ${archivePath} failed: ${error.name}: ${error.message}\n${error.stack ?? ''}`,
      { cause: error, details: { module: archivePath, error: `${error.name}: ${error.message}`, stack: error.stack } },
    );
  }
};

const exportNames = (moduleExports: Record<string, unknown>): string[] => Object.keys(moduleExports).sort();

const lookup = (moduleExports: Record<string, unknown>, name: string): unknown => {
  if (Object.hasOwn(moduleExports, name)) return moduleExports[name];
  // CommonJS modules: named exports may only be visible on `default` (module.exports).
  const fallback = moduleExports['default'];
  if (name !== 'default' && typeof fallback === 'object' && fallback !== null && Object.hasOwn(fallback, name)) {
    return (fallback as Record<string, unknown>)[name];
  }
  return undefined;
};

const fromModule = (archivePath: string, spec: ParsedHandler, moduleExports: Record<string, unknown>): HandlerRuntime => {
  const exports = exportNames(moduleExports);
  const hooks = { initialize: lookup(moduleExports, 'initialize'), close: lookup(moduleExports, 'close') };
  if (spec.function !== undefined) {
    const value = lookup(moduleExports, spec.function);
    const label = `${archivePath}:${spec.function}`;
    if (value === undefined) {
      throw new ModelArchiveError(
        'HANDLER_FUNCTION_NOT_FOUND',
        `Handler module ${archivePath} has no export named ${spec.function}; it exports: ${exports.join(', ') || '(nothing)'}`,
        { details: { module: archivePath, function: spec.function, exports } },
      );
    }
    if (isClass(value)) return classHandler(`${label} (class)`, value);
    if (typeof value === 'function') return functionHandler(`${label} (function)`, value as never, hooks);
    if (typeof value === 'object' && value !== null) return instanceHandler(`${label} (object)`, value as HandlerInstance);
    throw new ModelArchiveError('HANDLER_INVALID', `${label} is a ${typeof value}, not a function or class`, {
      details: { module: archivePath, function: spec.function, exports },
    });
  }
  const handle = lookup(moduleExports, 'handle');
  if (typeof handle === 'function' && !isClass(handle)) return functionHandler(`${archivePath}:handle (function)`, handle as never, hooks);
  const fallback = moduleExports['default'];
  if (isClass(fallback)) return classHandler(`${archivePath} default export (class)`, fallback);
  const classes = Object.entries(moduleExports).filter(([name, value]) => name !== 'default' && isClass(value));
  if (classes.length === 1) {
    const [name, value] = classes[0] as [string, new () => unknown];
    return classHandler(`${archivePath}:${name} (class)`, value);
  }
  if (typeof fallback === 'object' && fallback !== null && classes.length === 0) {
    const candidate = fallback as HandlerInstance;
    if (typeof candidate.handle === 'function' || typeof candidate.inference === 'function') {
      return instanceHandler(`${archivePath} default export (object)`, candidate);
    }
  }
  throw new ModelArchiveError(
    'HANDLER_INVALID',
    classes.length > 1
      ? `Handler module ${archivePath} exports several classes (${classes.map(([n]) => n).join(', ')}) and no default export; name one as ${archivePath}:<Class>`
      : `Handler module ${archivePath} exports no handle function, no default class and no class; it exports: ${exports.join(', ') || '(nothing)'}`,
    { details: { module: archivePath, exports, classes: classes.map(([n]) => n) } },
  );
};

/**
 * Resolves and imports the handler named by `handler` in the model folder `modelDir`.
 * @throws HANDLER_MODULE_NOT_FOUND, HANDLER_IMPORT_FAILED, HANDLER_FUNCTION_NOT_FOUND, HANDLER_INVALID
 */
export async function resolveHandler(handler: string, modelDir: string): Promise<HandlerRuntime> {
  const trimmed = handler.trim();
  const spec = parseHandlerString(trimmed);
  if (/\.py$/.test(spec.module)) {
    throw new ModelArchiveError('HANDLER_INVALID', `Handler ${trimmed} is a Python module; this runtime runs JavaScript handlers and built-ins`, {
      details: { handler: trimmed, builtins: NODE_BUILTIN_HANDLERS },
    });
  }
  const candidates = nodeModuleCandidates(spec.module);
  // All candidates are looked up at once; the first in order that exists wins.
  const found = await firstExistingFile(modelDir, candidates);
  if (found !== undefined) return fromModule(found, spec, await importModule(path.join(modelDir, ...found.split('/')), found));
  if (spec.function === undefined && isNodeBuiltinHandler(trimmed)) return BUILTIN_HANDLERS[trimmed]();
  throw new ModelArchiveError(
    'HANDLER_MODULE_NOT_FOUND',
    `Handler module ${spec.module} is not in the archive (tried ${candidates.join(', ') || 'no valid path'}) and is not a built-in handler (${NODE_BUILTIN_HANDLERS.join(', ')})`,
    { details: { handler: trimmed, tried: candidates, builtins: NODE_BUILTIN_HANDLERS } },
  );
}
