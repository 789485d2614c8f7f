#!/usr/bin/env node
// Bundles the built CLI (packages/cli/dist/, after `tsc -b`) with its dependencies into packages/cli/dist/bundle/,
// all CommonJS, so a command pays for reading a few files instead of resolving and linking hundreds of ES modules, and
// never starts Node's ES module loader (a few ms of every start):
//   model-archiver.cjs   the entry (bin.js: the fast path of src/fast-path.ts, then the direct path or main()), which
//                        the package's bin requires; nothing from node_modules
//   direct.cjs (+.cache) the direct path of inspect, verify and lint (direct.js): no yargs
//   main.cjs (+.cache)   main() and everything it imports
//   zod.cjs              zod, which direct.cjs requires only to explain an invalid document
//   prerendered-help.json `--help` and `<command> --help` as yargs renders them, for src/fast-path.ts
// direct.cjs and main.cjs come with their V8 code cache, which src/load-bundled.ts compiles them with (Node 20 keeps
// none for modules). @model-archiver/runtime (an optional peer, with ONNX Runtime and sharp) stays external.
// `require('<relative>/package.json')` through createRequire(import.meta.url), which cannot work from another folder,
// is replaced by the JSON read at build time.
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
const LOAD_BUNDLED = pathToFileURL(join(cli, 'dist/load-bundled.js')).href;

/** The one `import()` main.cjs and direct.cjs keep (of the optional runtime), as the function load-bundled.ts passes in. */
const RUNTIME_IMPORT = "import('@model-archiver/runtime')";

/** What every part of the bundle is built with. */
const COMMON = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  external: ['@model-archiver/runtime', 'onnxruntime-node', 'sharp'],
  logLevel: 'warning',
};

/**
 * Inlines `require('…/package.json')` (versions read through createRequire) as the JSON object itself; for the
 * scripts compiled through node:vm also turns the runtime's `import()` into `__ma_import()` (see src/load-bundled.ts).
 */
const inlinePackageJson = (vmScript) => ({
  name: 'inline-package-json',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      if (vmScript && source.includes(RUNTIME_IMPORT)) source = source.replaceAll(RUNTIME_IMPORT, "__ma_import('@model-archiver/runtime')");
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

/** Resolves imports matching `filter` to `path` (beside the output), left out of it. */
const leaveOut = (filter, path) => ({
  name: 'leave-out',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter }, (args) => ({ path: path ?? args.path, external: true }));
  },
});

/** Fails the build when one of the `inputs` of an esbuild metafile matches `pattern`. */
function refuseInputs(metafile, pattern, what) {
  const unwanted = Object.keys(metafile.inputs).filter((input) => pattern.test(input));
  if (unwanted.length > 0) throw new Error(`${what} must not contain ${unwanted.join(', ')}`);
}

/** Wrap widths whose `--help` text is pre-rendered: a pipe or file (100), and 80- and 120-column terminals. */
const HELP_WIDTHS = [80, 100, 120];

/**
 * Writes `prerendered-help.json` into the bundle folder: `model-archiver --help` and `model-archiver <command> --help`
 * (HELP_COMMANDS of src/fast-path.ts) as the bundle's own `main()` (yargs, main.cjs) prints them at each width of
 * HELP_WIDTHS, in English, and `model-archiver completion` for each shell yargs has a script for, which
 * src/fast-path.ts prints without loading yargs.
 */
function prerenderHelp(bundleDir) {
  const script = `
    const { compileBundledScript, runBundledScript } = await import(${JSON.stringify(LOAD_BUNDLED)});
    const { completionShell, HELP_COMMANDS } = await import(${JSON.stringify(pathToFileURL(join(cli, 'dist/fast-path.js')).href)});
    const { readFileSync } = await import('node:fs');
    const { VERSION } = await import(${JSON.stringify(pathToFileURL(join(cli, 'dist/version.js')).href)});
    const file = ${JSON.stringify(join(bundleDir, 'main.cjs'))};
    const main = runBundledScript(compileBundledScript(file, readFileSync(file, 'utf8')), file, 'main');
    const render = async (args) => {
      const widths = {};
      for (const columns of ${JSON.stringify(HELP_WIDTHS)}) {
        let out = '';
        let err = '';
        const sink = (write) => ({ write: (text) => { write(String(text)); return true; }, columns });
        const io = { stdout: sink((t) => (out += t)), stderr: sink((t) => (err += t)), cwd: process.cwd(), env: process.env,
          signal: new AbortController().signal };
        const code = await main(args, io);
        if (code !== 0 || err !== '' || !out.endsWith('\\n')) throw new Error(args.join(' ') + ' at ' + columns + ' columns: exit ' + code + ' ' + err);
        widths[columns] = out.slice(0, -1);
      }
      return widths;
    };
    const help = await render(['--help']);
    const commandHelp = {};
    for (const command of HELP_COMMANDS) commandHelp[command] = await render([command, '--help']);
    // yargs picks the completion script from SHELL/ZSH_NAME (fast-path.ts completionShell): one per shell.
    const completion = {};
    for (const [shell, env] of Object.entries({ sh: '/bin/bash', zsh: '/usr/bin/zsh', fish: '/usr/bin/fish' })) {
      process.env.SHELL = env;
      delete process.env.ZSH_NAME;
      if (completionShell(process.env) !== shell) throw new Error('completionShell disagrees for ' + env);
      completion[shell] = (await render(['completion']))[${JSON.stringify(HELP_WIDTHS[0])}];
    }
    process.stdout.write(JSON.stringify({ version: VERSION, help, commandHelp, completion }));`;
  // yargs takes its locale from the environment: the texts are the English ones, which fast-path.ts prints only there.
  const env = { ...process.env, LC_ALL: 'en_US', LC_MESSAGES: '', LANG: '', LANGUAGE: '' };
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bundleDir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pre-rendering --help failed:\n${result.stderr}`);
  return writeFile(join(bundleDir, 'prerendered-help.json'), result.stdout);
}

/** In a `warm` command line: a small valid node-flavour archive, made with core's builder for the run. */
const WARM_ARCHIVE = 'warm.mar';

/** Packages the direct path (direct.cjs) must not contain: yargs and what only it uses. */
const NOT_IN_DIRECT = /[\\/]node_modules[\\/](yargs|yargs-parser|cliui|string-width|y18n|escalade|get-caller-file)[\\/]/;

/**
 * The scripts of the bundle that src/load-bundled.ts compiles through node:vm with their code cache: `main.cjs`,
 * main.js and all it imports; `direct.cjs`, the direct path of inspect, verify and lint (direct.js), which must not
 * contain yargs and requires zod from zod.cjs (only an invalid document needs it, and half of the file would be zod,
 * which every start would read and every code cache load would carry). `warm` are the command lines the process that
 * writes the code cache runs first, so the cache holds the functions those runs compiled: for main.cjs, help and
 * inspect, verify and lint of a missing archive (their modules load, then they fail fast); for direct.cjs, the three
 * commands on a valid archive (WARM_ARCHIVE) and on a missing one.
 */
const SCRIPTS = [
  {
    entry: 'dist/main.js',
    file: 'main.cjs',
    name: 'main',
    plugins: [],
    warm: [['--help'], ['inspect', 'missing-archive.mar', '--json'], ['verify', 'missing-archive.mar'], ['lint', 'missing-archive.mar', '--format', 'json']],
  },
  {
    entry: 'dist/direct.js',
    file: 'direct.cjs',
    name: 'runDirect',
    plugins: [leaveOut(/^zod$/, './zod.cjs')],
    forbidden: NOT_IN_DIRECT,
    warm: [
      ...['inspect', 'verify', 'lint'].flatMap((command) => [[command, WARM_ARCHIVE], [command, WARM_ARCHIVE, '--json']]),
      ['inspect', 'missing-archive.mar', '--json'],
      ['inspect', 'missing-archive.mar'],
    ],
  },
];

/**
 * Builds one of SCRIPTS: its entry and all it imports (but the runtime) as one CommonJS file, then its code cache
 * `<file>.cache`, written by a process that ran the script's `warm` command lines.
 */
async function buildScript(bundleDir, { entry, file: name, name: exportName, plugins, forbidden, warm }) {
  const file = join(bundleDir, name);
  const { metafile } = await build({
    ...COMMON,
    metafile: true,
    entryPoints: [join(cli, entry)],
    outfile: file,
    define: { 'import.meta.url': '__ma_url' },
    plugins: [inlinePackageJson(true), ...plugins],
  });
  if (forbidden !== undefined) refuseInputs(metafile, forbidden, name);
  const source = await readFile(file, 'utf8');
  // A script compiled by node:vm cannot run import() (without experimental flags): none may be left.
  if (/\bimport\(/.test(source.replaceAll('__ma_import(', ''))) throw new Error(`${name} still contains import()`);
  const script = `
    const { compileBundledScript, runBundledScript } = await import(${JSON.stringify(LOAD_BUNDLED)});
    const { buildArchive } = await import(${JSON.stringify(pathToFileURL(join(root, 'packages/core/dist/index.js')).href)});
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = ${JSON.stringify(file)};
    const compiled = compileBundledScript(file, readFileSync(file, 'utf8'));
    const run = runBundledScript(compiled, file, ${JSON.stringify(exportName)});
    const cwd = mkdtempSync(join(tmpdir(), 'ma-bundle-warm-'));
    try {
      writeFileSync(join(cwd, 'svc.mjs'), 'export const handle = (batch) => batch;\\n');
      await buildArchive({ modelName: 'warm', version: '1.0', flavour: 'node', handler: 'svc.mjs:handle', cwd, exportPath: cwd });
      const sink = { write: () => true, columns: 100 };
      const io = { stdout: sink, stderr: sink, cwd, env: {}, signal: new AbortController().signal };
      for (const args of ${JSON.stringify(warm)}) await run(args, io);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
    writeFileSync(file + '.cache', compiled.createCachedData());`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: bundleDir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`writing the code cache of ${name} failed:\n${result.stderr}`);
}

/**
 * Builds the entry, `model-archiver.cjs`, from bin.js: the fast path and load-bundled.ts, which finds main.cjs and
 * direct.cjs beside it (its imports of main.js and direct.js, for the unbundled build, are left out). It must take
 * nothing from node_modules: whatever it holds, every command pays for.
 */
async function buildEntry(bundleDir) {
  const { metafile } = await build({
    ...COMMON,
    metafile: true,
    entryPoints: [join(cli, 'dist/bin.js')],
    outfile: join(bundleDir, 'model-archiver.cjs'),
    define: { 'import.meta.url': '__ma_url' },
    banner: { js: "var __ma_url = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [inlinePackageJson(false), leaveOut(/^\.\/(main|direct)\.js$/)],
  });
  refuseInputs(metafile, /[\\/]node_modules[\\/]/, 'model-archiver.cjs');
}

/** Builds `zod.cjs`: zod as one CommonJS file, which direct.cjs requires when it needs zod. */
function buildZod(bundleDir) {
  return build({
    ...COMMON,
    stdin: { contents: "export * from 'zod';", resolveDir: join(root, 'packages/core'), sourcefile: 'zod.js' },
    outfile: join(bundleDir, 'zod.cjs'),
  });
}

/** Writes packages/cli/dist/bundle/ from packages/cli/dist/ (run `tsc -b` first). */
export async function bundleCli() {
  // Built beside and renamed into place, so a process starting meanwhile never sees half a bundle.
  const temp = `${outdir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await buildEntry(temp);
  await buildZod(temp);
  for (const script of SCRIPTS) await buildScript(temp, script);
  await prerenderHelp(temp);
  await rm(outdir, { recursive: true, force: true });
  await rename(temp, outdir);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
