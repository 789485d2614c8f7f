import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import type { Runtime } from '../../vocabulary/runtimes.js';
import type { EntrySet } from './entry-set.js';
import { isNodeBuiltinHandler } from '../../vocabulary/builtin-handlers.js';
import { NODE_HANDLER_EXTENSIONS, hasNodeHandlerExtension } from '../../vocabulary/node-handler-paths.js';
import {
  type HandlerSpec,
  handlerBaseName,
  isTorchServeBuiltin,
  parseHandler,
  pythonHandlerFile,
  withFunction,
} from './handler-spec.js';
import {
  type PlanContext,
  isRegularFile,
  normaliseMode,
  relativeArchivePath,
  resolveInputFile,
} from './input-paths.js';
import type { BuildFlavour } from './plan-types.js';

/** What handler planning needs. */
export interface HandlerPlanInput {
  handler: string;
  flavour: BuildFlavour;
  runtime: Runtime;
  /** Absolute `modelPath` when the tree mode is used (the handler is then expected in the tree). */
  modelRoot?: string;
  context: PlanContext;
  entries: EntrySet;
}

/** Node module candidates: the exact path, then `.mjs`, `.js`, `.cjs` appended (unless it already has one). */
const nodeCandidates = (spec: HandlerSpec): string[] =>
  hasNodeHandlerExtension(spec.filePart)
    ? [spec.filePart]
    : [spec.filePart, ...NODE_HANDLER_EXTENSIONS.map((ext) => spec.filePart + ext)];

const handlerNotFound = (handler: string, tried: string[], reason: string): ModelArchiveError =>
  new ModelArchiveError('HANDLER_NOT_FOUND', `Handler module for '${handler}' ${reason}; tried ${tried.join(', ')}`, {
    details: { handler, tried, reason },
  });

const firstFile = async (base: string, candidates: string[]): Promise<{ abs?: string; tried: string[] }> => {
  const tried = candidates.map((candidate) => path.resolve(base, candidate));
  for (const abs of tried) if (await isRegularFile(abs)) return { abs, tried };
  return { tried };
};

/** Node flavour: the module keeps its path (relative to the tree or `cwd`); the manifest names `archivePath[:fn]`. */
const planNodeHandler = async (spec: HandlerSpec, input: HandlerPlanInput): Promise<string> => {
  if (isNodeBuiltinHandler(spec.raw)) return spec.raw;
  const base = input.modelRoot ?? input.context.cwd;
  const { abs, tried } = await firstFile(base, nodeCandidates(spec));
  if (abs === undefined) throw handlerNotFound(spec.raw, tried, 'was not found');
  if (input.modelRoot !== undefined) {
    const rel = relativeArchivePath(input.modelRoot, abs);
    if (rel === undefined) throw handlerNotFound(spec.raw, tried, 'is outside modelPath');
    if (!input.entries.has(rel)) throw handlerNotFound(spec.raw, tried, 'is excluded by the filters or .marignore');
    return withFunction(rel, spec);
  }
  const file = await resolveInputFile(abs, 'handler', input.context);
  const archivePath = relativeArchivePath(input.context.cwd, file.abs) ?? path.basename(file.abs);
  input.entries.add({
    archivePath,
    sourcePath: file.real,
    size: file.stats.size,
    mode: normaliseMode(file.stats.mode),
    input: 'handler',
  });
  return withFunction(archivePath, spec);
};

/**
 * Plans the handler and returns the manifest's `model.handler`.
 * - tree mode (mms/torchserve with `modelPath`): stored verbatim; a warning when the module is not at the archive root.
 * - torchserve: built-ins copied nowhere; else the file (`.py` appended when it has no extension) goes to the root
 *   under its base name (missing -> `INPUT_NOT_FOUND`, flag `handler`); manifest = base name `[:fn]`.
 * - mms without `modelPath`: like torchserve, but the string is kept verbatim; a missing file -> `HANDLER_NOT_FOUND`
 *   (the archive would hold no code at all).
 * - node: see {@link planNodeHandler} (missing -> `HANDLER_NOT_FOUND`).
 */
export const planHandler = async (input: HandlerPlanInput): Promise<string> => {
  const { handler, flavour, runtime, context, entries } = input;
  if (handler.trim() === '') {
    throw new ModelArchiveError('INVALID_OPTION', 'handler must not be empty', {
      details: { option: 'handler', value: handler },
    });
  }
  const spec = parseHandler(handler);
  if (flavour === 'node') return planNodeHandler(spec, input);
  if (flavour === 'torchserve' && isTorchServeBuiltin(handler, runtime)) return handler;
  if (input.modelRoot !== undefined) {
    const module = pythonHandlerFile(handlerBaseName(spec.filePart), runtime);
    if (!entries.has(module)) {
      context.warnings.push(
        `handler '${handler}': ${module} is not at the root of modelPath; the server will look for an installed module`,
      );
    }
    return handler;
  }
  const fileName = pythonHandlerFile(spec.filePart, runtime);
  if (flavour === 'mms' && !(await isRegularFile(path.resolve(context.cwd, fileName)))) {
    // Without modelPath the handler file is the archive's only code: an archive without it could never load.
    const tried = [...nodeCandidates(spec).filter((c) => c !== spec.filePart), fileName].map((candidate) => path.resolve(context.cwd, candidate));
    throw handlerNotFound(handler, tried, 'was not found (give --model-path to archive a folder whose handler is importable)');
  }
  const file = await resolveInputFile(fileName, 'handler', context);
  entries.add({
    archivePath: path.basename(file.abs),
    sourcePath: file.real,
    size: file.stats.size,
    mode: normaliseMode(file.stats.mode),
    input: 'handler',
  });
  return withFunction(handlerBaseName(spec.filePart), spec);
};
