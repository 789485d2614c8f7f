import type { Runtime } from '../manifest/flavour.js';

/** Built-in handler names of TorchServe 0.12 (resolved from `ts.torch_handler`, nothing in the archive). */
export const TORCHSERVE_BUILTIN_HANDLERS: readonly string[] = [
  'base_handler', 'text_classifier', 'image_classifier', 'object_detector', 'image_segmenter', 'dali_image_classifier',
  'vllm_handler', 'trt_llm_handler',
];

/** Built-in handler names of `@model-archiver/runtime`. */
export const NODE_BUILTIN_HANDLERS: readonly string[] = ['onnx', 'image_classifier'];

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

const splitHandler = (handler: string): [module: string, fn: string | undefined] => {
  const colon = handler.indexOf(':');
  return colon === -1 ? [handler, undefined] : [handler.slice(0, colon), handler.slice(colon + 1) || undefined];
};

/** Python loaders: strip `.py`, keep the part after the last `/`, import by (dotted) module name from the model root. */
function pythonCandidates(modulePart: string): string[] {
  const cut = modulePart.lastIndexOf('/');
  const dir = cut === -1 ? '' : modulePart.slice(0, cut).replace(/^\.\//, '');
  const module = modulePart.slice(cut + 1).replace(/\.py$/, '');
  const asPath = module.split('.').join('/');
  const roots = dir !== '' && !dir.startsWith('/') ? [`${dir}/`, ''] : [''];
  return roots.flatMap((root) => [`${root}${asPath}.py`, `${root}${asPath}/__init__.py`]);
}

/**
 * Node runtime (`@model-archiver/runtime` handler resolution): a path relative to the archive root, `\\` read as `/`,
 * an absolute path keeps its last part, `.mjs`, `.js`, `.cjs` tried when no extension is given.
 */
function nodeCandidates(modulePart: string): string[] {
  let path = modulePart.replaceAll('\\', '/');
  if (path.startsWith('/') || /^[A-Za-z]:\//.test(path)) path = path.slice(path.lastIndexOf('/') + 1);
  path = path.replace(/^(\.\/)+/, '');
  if (path === '' || path.split('/').some((s) => s === '..' || s === '')) return [];
  if (/\.(mjs|cjs|js)$/.test(path)) return [path];
  return [`${path}.mjs`, `${path}.js`, `${path}.cjs`];
}

/** Node handler strings: `module[:function]`, where a drive letter's colon is not a separator. */
const splitNodeHandler = (handler: string): [module: string, fn: string | undefined] => {
  const colon = handler.lastIndexOf(':');
  if (colon > 0) {
    const module = handler.slice(0, colon);
    const fn = handler.slice(colon + 1);
    if (/^[A-Za-z_$][\w$]*$/.test(fn) && !/^[A-Za-z]$/.test(module)) return [module, fn];
  }
  return [handler, undefined];
};

/** Resolves a handler string against the entries of an archive, following the loader of its runtime. */
export function resolveHandlerTarget(
  handler: string,
  runtime: Runtime | string | undefined,
  hasEntry: (path: string) => boolean,
): HandlerTarget {
  const language = runtime === 'node' ? 'node' : runtime === 'LSP' ? 'native' : 'python';
  const trimmed = handler.trim();
  const [modulePart, functionName] = language === 'node' ? splitNodeHandler(trimmed) : splitHandler(trimmed);
  const target: HandlerTarget = { handler, language, builtin: false, candidates: [] };
  if (functionName !== undefined) target.functionName = functionName;
  if (language === 'native') return target;
  target.candidates = language === 'node' ? nodeCandidates(modulePart) : pythonCandidates(modulePart);
  const found = target.candidates.find(hasEntry);
  if (found !== undefined) target.found = found;
  // A module in the archive wins over a built-in of the same name (both runtimes try the archive first).
  const builtins = language === 'node' ? NODE_BUILTIN_HANDLERS : TORCHSERVE_BUILTIN_HANDLERS;
  if (found === undefined && builtins.includes(trimmed)) target.builtin = true;
  return target;
}
