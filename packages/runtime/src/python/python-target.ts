/**
 * Does an archive run on the Python worker? Yes when its manifest runtime is `python`, `python2` or `python3` (the
 * MMS/TorchServe flavours) and its handler names a Python module in the archive (`mod.py` or a package `mod/`) while
 * no JavaScript module of that name is there; a handler string ending in `.py` always does (the worker then reports a
 * missing module). Archives with a JavaScript or built-in handler keep running on Node whatever their runtime label.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

import { defaultCacheDir } from '../cache/cache-index.js';
import { moduleCandidates, parseHandlerString } from '../handlers/handler-resolve.js';
import { manifestModelFields } from '../manifest-fields.js';
import { materialiseArchive } from '../cache/materialise.js';
import type { Materialised } from '../cache/materialise.js';
import { readModelConfig } from '../model-config.js';
import type { PythonTarget } from './python-protocol.js';

/** Manifest runtimes served by the Python worker. */
export const PYTHON_RUNTIMES: readonly string[] = ['python', 'python2', 'python3'];

const isFile = (file: string): Promise<boolean> => stat(file).then((s) => s.isFile(), () => false);

/**
 * Archive paths the reference loaders would import for a handler string: `.py` dropped, the part after the last `/`
 * imported by (dotted) name from the handler's folder, else from the model folder.
 */
export function pythonModuleCandidates(handler: string): string[] {
  const modulePart = handler.trim().split(':', 1)[0] ?? '';
  const cut = modulePart.lastIndexOf('/');
  const dir = cut <= 0 ? '' : modulePart.slice(0, cut).replace(/^(\.\/)+/, '');
  const asPath = modulePart.slice(cut + 1).replace(/\.py$/, '').split('.').join('/');
  if (asPath === '' || asPath.split('/').some((s) => s === '')) return [];
  const roots = dir !== '' && !path.isAbsolute(dir) && !dir.split('/').includes('..') ? [`${dir}/`, ''] : [''];
  return roots.flatMap((root) => [`${root}${asPath}.py`, `${root}${asPath}/__init__.py`]);
}

const firstExisting = async (modelDir: string, candidates: string[]): Promise<string | undefined> => {
  const present = await Promise.all(candidates.map((c) => isFile(path.join(modelDir, ...c.split('/')))));
  const index = present.indexOf(true);
  return index < 0 ? undefined : candidates[index];
};

/** True when the handler of a materialised archive runs on the Python worker (see the file comment). */
export async function isPythonHandler(handler: string, runtime: unknown, modelDir: string): Promise<boolean> {
  if (typeof runtime !== 'string' || !PYTHON_RUNTIMES.includes(runtime)) return false;
  const trimmed = handler.trim();
  const [js, py] = await Promise.all([
    firstExisting(modelDir, moduleCandidates(parseHandlerString(trimmed).module)),
    firstExisting(modelDir, pythonModuleCandidates(trimmed)),
  ]);
  if (js !== undefined) return false;
  return py !== undefined || /\.py(?::|$)/.test(trimmed);
}

const TORCHSERVE_KEYS = ['archiverVersion', 'createdOn'];

/** The Python target of a materialised archive, or `undefined` when its handler is not a Python module. */
export async function pythonTargetOf(materialised: Materialised, archivePath: string, modelName: string | undefined): Promise<PythonTarget | undefined> {
  const { modelDir } = materialised;
  const manifest = materialised.manifest.manifest;
  const fields = manifestModelFields(manifest);
  if (fields.handler === undefined || !(await isPythonHandler(fields.handler, manifest['runtime'], modelDir))) return undefined;
  const model = typeof manifest['model'] === 'object' && manifest['model'] !== null ? (manifest['model'] as Record<string, unknown>) : {};
  const declared = typeof model['requirementsFile'] === 'string' ? model['requirementsFile'] : undefined;
  const requirements = await firstExisting(modelDir, [...(declared === undefined ? [] : [declared]), 'requirements.txt']);
  const target: PythonTarget = {
    modelDir,
    manifest,
    name: modelName ?? fields.modelName ?? path.basename(archivePath).replace(/\.(mar|tar\.gz|tgz|zip)$/, ''),
    version: fields.modelVersion ?? '1.0',
    handler: fields.handler,
    flavour: TORCHSERVE_KEYS.some((key) => Object.hasOwn(manifest, key)) ? 'torchserve' : 'mms',
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
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return pythonTargetOf(materialised, resolved, options.modelName);
}

/** The notice given for an archive that carries a requirements file. */
export const requirementsNotice = (target: PythonTarget, python: string): string =>
  `Model ${target.name} carries ${target.requirements ?? 'requirements.txt'}; it is not installed. Install its packages for ${python} yourself (e.g. ${python} -m pip install -r ${path.join(target.modelDir, target.requirements ?? 'requirements.txt')}), or pass --install-requirements to install them into a virtual environment of the model's own.`;
