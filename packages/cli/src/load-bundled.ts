import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

import type { CliIo } from './io.js';

/** `main()` of main.ts. */
export type Main = (argv: readonly string[], io?: CliIo) => Promise<number>;

/** `runDirect()` of direct.ts: the exit code, or undefined when `main()` must answer. */
export type RunDirect = (argv: readonly string[], io?: CliIo) => Promise<number | undefined>;

/**
 * The CommonJS scripts of the bundle, each with what it exports: `main.cjs` is `main()` and everything it imports,
 * `direct.cjs` the direct path (`runDirect()`, no yargs). scripts/bundle-cli.mjs writes each with V8's code cache for
 * it (`<name>.cache`). Node 20 keeps no code cache for ES modules (its compile cache came in 22.1), so the bundle
 * compiles these files itself with the cache, which skips most of the parsing and compiling a fresh process would do.
 * The unbundled build (`tsc -b`) has neither file and imports main.js and direct.js.
 */
const BUNDLED_SCRIPTS: Readonly<Record<keyof BundledExports, string>> = { main: 'main.cjs', runDirect: 'direct.cjs' };

/** What each bundled script exports. */
export interface BundledExports {
  main: Main;
  runDirect: RunDirect;
}

/**
 * What a bundled script gets besides CommonJS' own: `__ma_url` stands for `import.meta.url`, and `__ma_import` is
 * `import()` from this module (a script compiled by node:vm has no dynamic import of its own without experimental
 * flags), which the bundle script puts in place of the one `import()` left in it, of the optional
 * `@model-archiver/runtime`.
 */
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', '__ma_url', '__ma_import'];

/**
 * Compiles a bundled script. With `cachedData` V8 takes the compiled code from the cache; a cache it cannot use
 * (another Node or V8 version, other V8 flags, another file) is rejected (`cachedDataRejected`) and the file is
 * compiled from its source, so a stale cache costs time, never correctness.
 */
export function compileBundledScript(file: string, source: string, cachedData?: Buffer): Script {
  return new Script(`(function (${PARAMETERS.join(', ')}) {${source}\n})`, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
}

/** Runs a compiled bundled script and returns its export `name`. */
export function runBundledScript<K extends keyof BundledExports>(script: Script, file: string, name: K): BundledExports[K] {
  const module = { exports: {} as Partial<Record<keyof BundledExports, unknown>> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const importModule = (specifier: string): Promise<unknown> => import(specifier);
  wrapper(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href, importModule);
  const exported = module.exports[name];
  if (typeof exported !== 'function') throw new Error(`${file} does not export ${name}()`);
  return exported as BundledExports[K];
}

/** Export `name` of its bundled script with its code cache, or `unbundled()` when there is no bundle. */
async function loadBundled<K extends keyof BundledExports>(name: K, unbundled: () => Promise<BundledExports[K]>): Promise<BundledExports[K]> {
  const file = fileURLToPath(new URL(`./${BUNDLED_SCRIPTS[name]}`, import.meta.url));
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return unbundled();
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(`${file}.cache`);
  } catch {
    cachedData = undefined;
  }
  return runBundledScript(compileBundledScript(file, source, cachedData), file, name);
}

/** The CLI's `main()`: main.cjs with its code cache in the bundle, main.js elsewhere. */
export const loadMain = (): Promise<Main> => loadBundled('main', async () => (await import('./main.js')).main);

/** The direct path's `runDirect()`: direct.cjs with its code cache in the bundle, direct.js elsewhere. */
export const loadDirect = (): Promise<RunDirect> => loadBundled('runDirect', async () => (await import('./direct.js')).runDirect);
