import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/** `main()` of main.ts. */
export type Main = (argv: readonly string[], io?: import('./io.js').CliIo) => Promise<number>;

/**
 * `main()` and everything it imports as one CommonJS file, and V8's code cache for it, both written into the bundle
 * folder by scripts/bundle-cli.mjs. Node 20 keeps no code cache for ES modules (its compile cache came in 22.1), so
 * the bundle compiles this file itself with the cache, which skips most of the parsing and compiling a fresh process
 * would do. The unbundled build (`tsc -b`) has neither file and imports main.js.
 */
const MAIN_SCRIPT = new URL('./main.cjs', import.meta.url);
const MAIN_CODE_CACHE = new URL('./main.cjs.cache', import.meta.url);

/**
 * What main.cjs gets besides CommonJS' own: `__ma_url` stands for `import.meta.url`, and `__ma_import` is `import()`
 * from this module (a script compiled by node:vm has no dynamic import of its own without experimental flags), which
 * the bundle script puts in place of the one `import()` left in main.cjs, of the optional `@model-archiver/runtime`.
 */
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname', '__ma_url', '__ma_import'];

/**
 * Compiles main.cjs. With `cachedData` V8 takes the compiled code from the cache; a cache it cannot use (another
 * Node or V8 version, other V8 flags, another file) is rejected (`cachedDataRejected`) and the file is compiled from
 * its source, so a stale cache costs time, never correctness.
 */
export function compileMainScript(file: string, source: string, cachedData?: Buffer): Script {
  return new Script(`(function (${PARAMETERS.join(', ')}) {${source}\n})`, { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
}

/** Runs a compiled main.cjs and returns its `main()`. */
export function runMainScript(script: Script, file: string): Main {
  const module = { exports: {} as { main?: Main } };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const importModule = (specifier: string): Promise<unknown> => import(specifier);
  wrapper(module.exports, createRequire(file), module, file, dirname(file), pathToFileURL(file).href, importModule);
  if (typeof module.exports.main !== 'function') throw new Error(`${file} does not export main()`);
  return module.exports.main;
}

/** The CLI's `main()`: main.cjs with its code cache in the bundle, main.js elsewhere. */
export async function loadMain(): Promise<Main> {
  const file = fileURLToPath(MAIN_SCRIPT);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return (await import('./main.js')).main;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(MAIN_CODE_CACHE);
  } catch {
    cachedData = undefined;
  }
  return runMainScript(compileMainScript(file, source, cachedData), file);
}
