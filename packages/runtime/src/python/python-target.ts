/**
 * Does an archive run on the Python worker? Yes when its manifest runtime is `python`, `python2` or `python3` (the
 * MMS/TorchServe flavours) and its handler names a Python module in the archive (`mod.py` or a package `mod/`, paths
 * from core's `pythonModuleCandidates`) while no JavaScript module of that name is there; a handler module ending in
 * `.py` always does (the worker then reports a missing module). Archives with a JavaScript or built-in handler keep
 * running on Node whatever their runtime label. The handler string is split by core's `parseHandlerString`, the rule
 * of the builder and the linter.
 */
import path from 'node:path';

import { isPythonRuntime, manifestModel, nodeModuleCandidates, parseHandlerString, pythonModuleCandidates, stripArchiveSuffix } from '@model-archiver/core/read';

import { defaultCacheDir } from '../cache/cache-index.js';
import { materialiseArchive } from '../cache/materialise.js';
import type { Materialised } from '../cache/materialise.js';
import { firstExistingFile } from '../handlers/first-existing-file.js';
import { readModelConfig } from '../model-config.js';
import type { PythonTarget } from './python-protocol.js';

/**
 * True when `handler` (trimmed, as `resolveHandler` does) of an archive with manifest runtime `runtime` runs on the
 * Python worker (see the file comment). `has(path)` tells whether the archive holds a file at a model-relative path
 * (`/` separators): the materialised folder (`loadModel`) or the archive's entry list (the server, before anything is
 * extracted), so both decide by the same rule.
 */
export async function isPythonHandler(handler: string, runtime: unknown, has: (file: string) => boolean | Promise<boolean>): Promise<boolean> {
  if (!isPythonRuntime(runtime)) return false;
  const { module } = parseHandlerString(handler.trim());
  const first = async (candidates: string[]): Promise<boolean> => (await Promise.all(candidates.map((c) => has(c)))).includes(true);
  const [js, py] = await Promise.all([first(nodeModuleCandidates(module)), first(pythonModuleCandidates(module))]);
  if (js) return false;
  return py || module.endsWith('.py');
}

/** `has` of {@link isPythonHandler} for a model folder. */
const inFolder =
  (modelDir: string) =>
  async (file: string): Promise<boolean> =>
    (await firstExistingFile(modelDir, [file])) !== undefined;

/**
 * The Python target of a materialised archive (its handler, or `handlerOverride`), or `undefined` when that handler is
 * not a Python module.
 */
export async function pythonTargetOf(
  materialised: Materialised,
  archivePath: string,
  modelName: string | undefined,
  handlerOverride?: string,
): Promise<PythonTarget | undefined> {
  const { modelDir } = materialised;
  const { manifest, flavour } = materialised.manifest;
  const fields = manifestModel(materialised.manifest);
  const handlerString = (handlerOverride ?? fields.handler).trim();
  if (!(await isPythonHandler(handlerString, manifest['runtime'], inFolder(modelDir)))) return undefined;
  const parsed = materialised.manifest;
  // TorchServe records `--requirements-file` (MMS has no such field; its archives may still carry a requirements.txt).
  const declared = parsed.flavour === 'torchserve' || parsed.flavour === 'node' ? parsed.manifest.model.requirementsFile || undefined : undefined;
  const requirements = await firstExistingFile(modelDir, [...(declared === undefined ? [] : [declared]), 'requirements.txt']);
  const handler = parseHandlerString(handlerString);
  const target: PythonTarget = {
    modelDir,
    manifest,
    name: modelName ?? (fields.modelName || stripArchiveSuffix(path.basename(archivePath))),
    version: fields.modelVersion ?? '1.0',
    handler: handlerString,
    module: handler.module,
    ...(handler.function === undefined ? {} : { function: handler.function }),
    flavour: flavour === 'torchserve' ? 'torchserve' : 'mms',
    modelConfig: materialised.modelConfig ?? (await readModelConfig(modelDir, fields.configFile)),
  };
  if (requirements !== undefined) target.requirements = requirements;
  return target;
}

/** Options of {@link preparePythonTarget}. */
export interface PrepareOptions {
  /** Name the model is served under; default the manifest's. */
  modelName?: string;
  /** Model cache; default as `loadModel`. */
  cacheDir?: string;
  /** Check the integrity record (default true). */
  verifyIntegrity?: boolean;
  /** Load an archive without an integrity record (as `loadModel`'s `allowUnverified`); default false: refused. */
  allowUnverified?: boolean;
  /** Handler string replacing the manifest's (as `loadModel`'s `handler` option). */
  handler?: string;
  signal?: AbortSignal;
}

/**
 * Materialises an archive (the same cache as `loadModel`) and returns its Python target, or `undefined` when its
 * handler runs on Node. The server calls this before choosing the kind of worker process.
 */
export async function preparePythonTarget(archivePath: string, options: PrepareOptions = {}): Promise<PythonTarget | undefined> {
  const resolved = path.resolve(archivePath);
  const materialised = await materialiseArchive(resolved, {
    cacheDir: path.resolve(options.cacheDir ?? defaultCacheDir()),
    verifyIntegrity: options.verifyIntegrity ?? true,
    requireIntegrity: (options.verifyIntegrity ?? true) && options.allowUnverified !== true,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return pythonTargetOf(materialised, resolved, options.modelName, options.handler);
}

/** The notice given for an archive that carries a requirements file. */
export const requirementsNotice = (target: PythonTarget, python: string): string =>
  `Model ${target.name} carries ${target.requirements ?? 'requirements.txt'}; it is not installed. Install its packages for ${python} yourself (e.g. ${python} -m pip install -r ${path.join(target.modelDir, target.requirements ?? 'requirements.txt')}), or pass --install-requirements to install them into a virtual environment of the model's own.`;
