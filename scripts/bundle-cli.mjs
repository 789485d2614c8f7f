#!/usr/bin/env node
// Bundles the built CLI (packages/cli/dist/bin.js, after `tsc -b`) with its dependencies into
// packages/cli/dist/bundle/: one entry file plus chunks loaded on demand (esbuild code splitting), so a command pays
// for reading a few files instead of resolving and linking hundreds of ES modules, and zod, tar, fast-glob and the
// container readers load only where the command needs them. @model-archiver/runtime (an optional peer, with ONNX
// Runtime and sharp) stays external. `require('<relative>/package.json')` through createRequire(import.meta.url),
// which cannot work from another folder, is replaced by the JSON read at build time. Besides the chunks it writes
// prerendered-help.json (`--help` as yargs renders it, for src/fast-path.ts) and main.cjs with its V8 code cache
// main.cjs.cache (main() as one CommonJS file, which src/load-main.ts compiles with the cache: Node 20 keeps none for
// ES modules).
//
// Usage: node scripts/bundle-cli.mjs   (npm run build runs it after tsc -b)
import { spawnSync } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'packages/cli');
const outdir = join(cli, 'dist/bundle');

/** The one `import()` main.cjs keeps (of the optional runtime), as the function load-main.ts passes in. */
const RUNTIME_IMPORT = "import('@model-archiver/runtime')";

/**
 * Inlines `require('…/package.json')` (versions read through createRequire) as the JSON object itself; for the
 * CommonJS main.cjs also turns the runtime's `import()` into `__ma_import()` (see src/load-main.ts).
 */
const inlinePackageJson = (commonJs) => ({
  name: 'inline-package-json',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      if (commonJs && source.includes(RUNTIME_IMPORT)) source = source.replaceAll(RUNTIME_IMPORT, "__ma_import('@model-archiver/runtime')");
      else if (!source.includes('package.json')) return undefined;
      const pattern = /require\((['"])(\.{1,2}\/[^'"]*package\.json)\1\)/g;
      let contents = source;
      for (const match of source.matchAll(pattern)) {
        const json = JSON.parse(await readFile(resolve(dirname(args.path), match[2]), 'utf8'));
        contents = contents.replace(match[0], `(${JSON.stringify({ name: json.name, version: json.version })})`);
      }
      return { contents, loader: 'js' };
    });
  },
});

/** Wrap widths whose `--help` text is pre-rendered: a pipe or file (100), and 80- and 120-column terminals. */
const HELP_WIDTHS = [80, 100, 120];

/**
 * Writes `prerendered-help.json` into the bundle folder: `model-archiver --help` as the bundle's own `main()` (yargs)
 * prints it at each width of HELP_WIDTHS, in English, which src/fast-path.ts prints without loading yargs.
 */
function prerenderHelp(bundleDir, mainChunk) {
  const script = `
    const { main } = await import(${JSON.stringify(pathToFileURL(mainChunk).href)});
    const { VERSION } = await import(${JSON.stringify(pathToFileURL(join(cli, 'dist/version.js')).href)});
    const help = {};
    for (const columns of ${JSON.stringify(HELP_WIDTHS)}) {
      let out = '';
      let err = '';
      const sink = (write) => ({ write: (text) => { write(String(text)); return true; }, columns });
      const io = { stdout: sink((t) => (out += t)), stderr: sink((t) => (err += t)), cwd: process.cwd(), env: process.env,
        signal: new AbortController().signal };
      const code = await main(['--help'], io);
      if (code !== 0 || err !== '' || !out.endsWith('\\n')) throw new Error('--help at ' + columns + ' columns: exit ' + code + ' ' + err);
      help[columns] = out.slice(0, -1);
    }
    process.stdout.write(JSON.stringify({ version: VERSION, help }));`;
  // yargs takes its locale from the environment: the texts are the English ones, which fast-path.ts prints only there.
  const env = { ...process.env, LC_ALL: 'en_US', LC_MESSAGES: '', LANG: '', LANGUAGE: '' };
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bundleDir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pre-rendering --help failed:\n${result.stderr}`);
  return writeFile(join(bundleDir, 'prerendered-help.json'), result.stdout);
}

/**
 * Builds `main.cjs`: main.js and all it imports (but the runtime) as one CommonJS file, which src/load-main.ts
 * compiles with V8's code cache, then writes that cache, `main.cjs.cache`, from a process that ran the commands whose
 * start-up counts (help, inspect, verify and lint of a missing archive: their modules and schemas load, then they
 * fail fast), so the cache holds the functions those runs compiled.
 */
async function buildMainScript(bundleDir) {
  const file = join(bundleDir, 'main.cjs');
  await build({
    entryPoints: [join(cli, 'dist/main.js')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    outfile: file,
    minify: true,
    legalComments: 'linked',
    define: { 'import.meta.url': '__ma_url' },
    external: ['@model-archiver/runtime', 'onnxruntime-node', 'sharp'],
    plugins: [inlinePackageJson(true)],
    logLevel: 'warning',
  });
  const source = await readFile(file, 'utf8');
  // A script compiled by node:vm cannot run import() (without experimental flags): none may be left.
  if (/\bimport\(/.test(source.replaceAll('__ma_import(', ''))) throw new Error('main.cjs still contains import()');
  const script = `
    const { compileMainScript, runMainScript } = await import(${JSON.stringify(pathToFileURL(join(cli, 'dist/load-main.js')).href)});
    const { readFileSync, writeFileSync } = await import('node:fs');
    const file = ${JSON.stringify(file)};
    const compiled = compileMainScript(file, readFileSync(file, 'utf8'));
    const main = runMainScript(compiled, file);
    const sink = { write: () => true, columns: 100 };
    const io = { stdout: sink, stderr: sink, cwd: process.cwd(), env: {}, signal: new AbortController().signal };
    const missing = 'missing-archive.mar';
    for (const args of [['--help'], ['inspect', missing, '--json'], ['verify', missing], ['lint', missing, '--format', 'json']]) await main(args, io);
    writeFileSync(file + '.cache', compiled.createCachedData());`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bundleDir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`writing the code cache of main.cjs failed:\n${result.stderr}`);
}

/** Writes packages/cli/dist/bundle/ from packages/cli/dist/ (run `tsc -b` first). */
export async function bundleCli() {
  // Built beside and renamed into place, so a process starting meanwhile never sees half a bundle.
  const temp = `${outdir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  const { metafile } = await build({
    metafile: true,
    entryPoints: { 'model-archiver': join(cli, 'dist/bin.js') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    outdir: temp,
    minify: true,
    legalComments: 'linked',
    // Required by the bundled CommonJS packages (yargs helpers, tar-stream, yauzl): ESM output has no `require`.
    banner: { js: "import { createRequire as __ma_createRequire } from 'node:module'; const require = __ma_createRequire(import.meta.url);" },
    external: ['@model-archiver/runtime', 'onnxruntime-node', 'sharp'],
    plugins: [inlinePackageJson(false)],
    logLevel: 'warning',
  });
  const mainSource = join(cli, 'dist/main.js');
  const mainChunk = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint && resolve(root, output.entryPoint) === mainSource);
  if (mainChunk === undefined) throw new Error('the bundle has no chunk for dist/main.js');
  await prerenderHelp(temp, resolve(root, mainChunk[0]));
  await buildMainScript(temp);
  await rm(outdir, { recursive: true, force: true });
  await rename(temp, outdir);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
