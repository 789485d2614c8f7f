#!/usr/bin/env node
// Checks that the published packages work outside the monorepo: `npm pack` core, runtime, cli and server (after `npm run build`),
// install the tarballs into a fresh project, import the typed API, type-check a consumer, and run the two binaries;
// then install core + cli alone (a lint-only CI job): no onnxruntime-node, no sharp, and predict says what to install.
// Usage: node scripts/check-packages.mjs   (exit 0 when every check passed)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['core', 'runtime', 'cli', 'server'];
const work = mkdtempSync(join(tmpdir(), 'ma-packcheck-'));
const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_fund: 'false', npm_config_audit: 'false' };
let failures = 0;

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const check = (name, ok, detail = '') => {
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` (${detail})` : ''}\n`);
  if (!ok) failures += 1;
};

try {
  const tarballs = {};
  for (const pkg of packages) {
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], join(root, 'packages', pkg)));
    const files = out[0].files.map((f) => f.path);
    tarballs[pkg] = join(work, out[0].filename);
    check(`${pkg}: tarball has dist/index.js, dist/index.d.ts, README.md`,
      ['dist/index.js', 'dist/index.d.ts', 'README.md', 'package.json'].every((f) => files.includes(f)));
    check(`${pkg}: tarball has no sources or tests`, !files.some((f) => f.startsWith('src/') || f.startsWith('test/')));
    if (pkg === 'runtime') {
      check('runtime: tarball has the Python worker, without bytecode', files.includes('python/model_archiver_worker/__main__.py') && !files.some((f) => f.endsWith('.pyc')));
    }
  }

  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'packcheck-app', private: true, type: 'module',
    dependencies: Object.fromEntries(packages.map((p) => [`@model-archiver/${p}`, `file:${tarballs[p]}`])),
    allowScripts: { 'onnxruntime-node': false, protobufjs: false },
  }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app);
  check('fresh project installs the four tarballs', existsSync(join(app, 'node_modules/@model-archiver/cli/dist/bin.js')));

  writeFileSync(join(app, 'svc.mjs'), 'export function handle(batch) { return batch.map(() => ({ ok: true })); }\n');
  writeFileSync(join(app, 'use-api.mjs'), [
    "import { buildArchive, openArchive } from '@model-archiver/core';",
    "const result = await buildArchive({ modelName: 'api', handler: 'svc:handle', exportPath: 'out-api', cwd: process.cwd() });",
    'const archive = await openArchive(result.outputPath);',
    'const { flavour } = await archive.readManifest();',
    'await archive.close();',
    'console.log(JSON.stringify({ flavour, entries: result.entries.length }));',
  ].join('\n'));
  const api = JSON.parse(run('node', ['use-api.mjs'], app));
  check('import { buildArchive } from "@model-archiver/core" builds a readable archive', api.flavour === 'node', JSON.stringify(api));

  writeFileSync(join(app, 'consumer.ts'), [
    "import { buildArchive, type BuildOptions, type BuildResult } from '@model-archiver/core';",
    "const options: BuildOptions = { modelName: 'typed', handler: 'svc:handle' };",
    'export const build = (): Promise<BuildResult> => buildArchive(options);',
  ].join('\n'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', strict: true, noEmit: true,
      skipLibCheck: true, types: ['node'], typeRoots: [join(root, 'node_modules/@types')] },
    files: ['consumer.ts'],
  }));
  let typed = true;
  try { run(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], app); } catch (error) { typed = false; process.stdout.write(String(error.stdout)); }
  check('a TypeScript consumer type-checks against the published types', typed);

  run('npx', ['--no-install', 'model-archiver', '--model-name', 'x', '--handler', 'svc:handle', '--export-path', 'out', '--quiet'], app);
  check('npx model-archiver --model-name x --handler svc:handle --export-path out writes out/x.mar', existsSync(join(app, 'out/x.mar')));
  // A Python handler (standard library only) packed MMS-style and run by the installed runtime's Python worker.
  mkdirSync(join(app, 'pysvc'));
  writeFileSync(join(app, 'pysvc/svc.py'), 'def handle(data, context):\n    return None if data is None else [{"n": len(d["body"])} for d in data]\n');
  writeFileSync(join(app, 'input.bin'), 'abc');
  run('npx', ['--no-install', 'model-archiver', '--model-name', 'py', '--handler', 'svc:handle', '--model-path', 'pysvc', '--runtime', 'python', '--export-path', 'out', '--quiet'], app);
  const predicted = JSON.parse(run('npx', ['--no-install', 'model-archiver', 'predict', 'out/py.mar', 'input.bin', '--json'], app));
  check('npx model-archiver predict runs a Python handler from the installed packages', predicted.results?.[0]?.body?.n === 3, JSON.stringify(predicted.results));
  const help = run('npx', ['--no-install', 'model-archiver', '--help'], app);
  check('npx model-archiver --help lists the subcommands', ['inspect', 'verify', 'lint', 'extract', 'predict'].every((c) => help.includes(c)));
  check('cli: the tarball ships the bundle the bin runs', existsSync(join(app, 'node_modules/@model-archiver/cli/dist/bundle/model-archiver.cjs')));
  const inspected = JSON.parse(run('npx', ['--no-install', 'model-archiver', 'inspect', 'out/x.mar', '--json'], app));
  check('npx model-archiver inspect --json reads the archive (bundled bin)', inspected.ok === true && inspected.flavour === 'node');
  const serverHelp = run('npx', ['--no-install', 'model-server', '--help'], app);
  check('npx model-server --help describes --models, --model-store and --disable-token-auth', ['--models', '--model-store', '--disable-token-auth'].every((f) => serverHelp.includes(f)));
  const manifest = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
  check('core exports its manifest JSON Schema', existsSync(join(app, 'node_modules/@model-archiver/core', manifest.exports['./manifest.schema.json'])));

  // A lint-only CI job installs the CLI alone: its runtime is an optional peer, so neither ONNX Runtime nor sharp
  // comes along, every command but predict works, and predict says what to install.
  const lintApp = join(work, 'lint-app');
  mkdirSync(lintApp);
  writeFileSync(join(lintApp, 'package.json'), JSON.stringify({
    name: 'packcheck-lint', private: true, type: 'module',
    dependencies: { '@model-archiver/core': `file:${tarballs.core}`, '@model-archiver/cli': `file:${tarballs.cli}` },
  }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], lintApp);
  const absent = ['onnxruntime-node', 'sharp', '@model-archiver/runtime'].filter((p) => existsSync(join(lintApp, 'node_modules', p)));
  check('npm i @model-archiver/cli installs neither onnxruntime-node nor sharp (nor the runtime)', absent.length === 0, absent.join(', '));
  writeFileSync(join(lintApp, 'svc.mjs'), 'export function handle(batch) { return batch.map(() => ({ ok: true })); }\n');
  run('npx', ['--no-install', 'model-archiver', '--model-name', 'x', '--handler', 'svc:handle', '--quiet'], lintApp);
  const lint = JSON.parse(run('npx', ['--no-install', 'model-archiver', 'lint', 'x.mar', '--json'], lintApp));
  check('lint-only install: create and lint work', lint.ok === true && lint.errorCount === 0, JSON.stringify({ ok: lint.ok, errors: lint.errorCount }));
  let withoutRuntime;
  try {
    run('npx', ['--no-install', 'model-archiver', 'predict', 'x.mar', '{}', '--json'], lintApp);
    withoutRuntime = { status: 0 };
  } catch (error) {
    withoutRuntime = { status: error.status, doc: JSON.parse(error.stdout) };
  }
  check('lint-only install: predict fails with RUNTIME_NOT_INSTALLED (exit 4) naming the package to install',
    withoutRuntime.status === 4 && withoutRuntime.doc?.error?.code === 'RUNTIME_NOT_INSTALLED' && withoutRuntime.doc.error.details?.package === '@model-archiver/runtime',
    JSON.stringify(withoutRuntime.doc?.error?.details ?? withoutRuntime));
} catch (error) {
  failures += 1;
  process.stdout.write(`FAIL ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(failures === 0 ? 'package checks passed\n' : `${failures} package check(s) failed\n`);
process.exitCode = failures === 0 ? 0 : 1;
