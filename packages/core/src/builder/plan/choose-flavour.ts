import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import type { Runtime } from '../../vocabulary/runtimes.js';
import type { BuildOptions } from '../build-options.js';
import { isBuiltinHandler, isNodeBuiltinHandler } from '../../vocabulary/builtin-handlers.js';
import { WRITABLE_FLAVOURS, isWritableFlavour } from '../../vocabulary/manifest-flavours.js';
import { NODE_HANDLER_EXTENSIONS, hasNodeHandlerExtension } from '../../vocabulary/node-handler-paths.js';
import { RUNTIMES_BY_FLAVOUR, defaultRuntimeOf, isRuntimeOf } from '../../vocabulary/runtimes.js';
import { hasExtension, parseHandler } from './handler-spec.js';
import { isRegularFile } from './input-paths.js';
import type { BuildFlavour } from './plan-types.js';

/** The flavour, why it was chosen, and the runtime. */
export interface FlavourChoice {
  flavour: BuildFlavour;
  reason: string;
  runtime: Runtime;
}

/** The JavaScript module a handler string names under `base`, if any (exact path, then `.mjs`, `.js`, `.cjs`). */
const findJsModule = async (handler: string, base: string): Promise<string | undefined> => {
  const { filePart } = parseHandler(handler);
  const candidates = hasExtension(filePart)
    ? hasNodeHandlerExtension(filePart) ? [filePart] : []
    : NODE_HANDLER_EXTENSIONS.map((e) => filePart + e);
  for (const candidate of candidates) {
    const file = path.resolve(base, candidate);
    if (await isRegularFile(file)) return file;
  }
  return undefined;
};

/** Options only TorchServe has, in the order they are reported. */
const torchServeOnlyInputs = (options: BuildOptions): string[] => {
  const found: string[] = [];
  const keys = ['serializedFile', 'modelFile', 'extraFiles', 'requirementsFile', 'configFile', 'version'] as const;
  for (const key of keys) {
    if (options[key] !== undefined) found.push(key);
  }
  if (options.archiveFormat === 'zip-store') found.push("archiveFormat 'zip-store'");
  if (options.runtime === 'LSP') found.push("runtime 'LSP'");
  return found;
};

/**
 * Picks the manifest flavour (explicit option first, else the first rule that applies: runtime `node`, a built-in
 * only the node runtime has (`onnx`), or a JavaScript handler module -> `node`; `modelPath` -> `mms`; a TorchServe-only input ->
 * `torchserve`; else `mms`) and the runtime (default `node` for node, else `python`), and checks they fit.
 */
export const chooseFlavour = async (options: BuildOptions, cwd: string): Promise<FlavourChoice> => {
  const pick = async (): Promise<{ flavour: BuildFlavour; reason: string }> => {
    if (options.flavour !== undefined) {
      if (!isWritableFlavour(options.flavour)) {
        throw new ModelArchiveError('INVALID_OPTION', `Unknown flavour '${String(options.flavour)}'`, {
          details: { option: 'flavour', value: options.flavour, allowed: WRITABLE_FLAVOURS },
        });
      }
      return { flavour: options.flavour, reason: 'flavour option' };
    }
    if (options.runtime === 'node') return { flavour: 'node', reason: "runtime is 'node'" };
    if (options.runtime === undefined && isNodeBuiltinHandler(options.handler) && !isBuiltinHandler(options.handler, 'python')) {
      return { flavour: 'node', reason: `handler '${options.handler}' is a built-in of the node runtime` };
    }
    const explicitJs = hasNodeHandlerExtension(parseHandler(options.handler).filePart);
    if (options.runtime === undefined || explicitJs) {
      const base = options.modelPath === undefined ? cwd : path.resolve(cwd, options.modelPath);
      const module = await findJsModule(options.handler, base);
      if (module !== undefined) {
        const shown = path.relative(base, module) || module;
        return { flavour: 'node', reason: `handler resolves to the JavaScript module ${shown}` };
      }
    }
    if (options.modelPath !== undefined) return { flavour: 'mms', reason: 'modelPath given (MMS folder archive)' };
    const tsOnly = torchServeOnlyInputs(options);
    if (tsOnly.length > 0) return { flavour: 'torchserve', reason: `TorchServe-only input: ${tsOnly.join(', ')}` };
    return { flavour: 'mms', reason: 'default (no flavour-specific input)' };
  };
  const { flavour, reason } = await pick();
  const runtime = options.runtime ?? defaultRuntimeOf(flavour);
  const allowed = RUNTIMES_BY_FLAVOUR[flavour];
  if (!isRuntimeOf(flavour, runtime)) {
    throw new ModelArchiveError(
      'INVALID_OPTION',
      `Runtime '${String(runtime)}' does not fit the ${flavour} flavour (${reason}); allowed: ${allowed.join(', ')}`,
      { details: { option: 'runtime', value: runtime, flavour, allowed } },
    );
  }
  return { flavour, reason, runtime };
};
