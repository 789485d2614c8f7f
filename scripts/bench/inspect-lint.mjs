#!/usr/bin/env node
// Benchmark of `inspect` and `lint` (docs/performance.md, "Inspect and lint" and "CLI start-up"): one run of this
// script builds, in a temp folder, a 2 GiB archive (one stored 2 GiB weights file, random head + sparse zeros, plus
// handler, manifest and integrity record), a 10,000-entry archive (deflated small files) and a small archive (handler
// only), all with our own `create`, then prints:
//   1. CLI start-up, side by side with `node -e ''` (the floor: a Node process that does nothing), median of 21 cold
//      processes each, interleaved (one run of every row per round), wall and CPU (user+sys) to the microsecond (bash
//      $EPOCHREALTIME and `times`), with the ratios to the floor the issue 12 target is stated in (<= 1.5x when the work
//      is O(1)): -V, --help, inspect --help, completion, a mistyped command and flag, inspect --json and inspect
//      (2 GiB), lint --format json (2 GiB), verify --json (small archive; verify of the 2 GiB one hashes 2 GiB), inspect --json through
//      main() (yargs; MODEL_ARCHIVER_DIRECT=0) and the unbundled build, and python3 zipfile infolist() (2 GiB).
//   2. Per archive, median of 7 cold processes (wall, CPU from /usr/bin/time in 10 ms steps, peak RSS):
//      model-archiver inspect --json, lint --format json, verify --json against unzip -l (Info-ZIP listing) and
//      python3 zipfile.ZipFile(p).infolist() (CPython listing), then the library calls in one warm process
//      (inspectArchive, lintArchives, median of 7) to separate the work from Node's start-up. Targets: 2 GiB archive
//      under 100 ms, 10,000 entries under 300 ms.
// Our CLI runs as installed: packages/cli/bin, which runs the bundle of `npm run build`.
//
// Usage: npm run build && node scripts/bench/inspect-lint.mjs        (about two minutes; needs ~2.1 GB free in $TMPDIR)
//        BENCH_BIG_MIB=256 BENCH_ENTRIES=2000 node scripts/bench/inspect-lint.mjs   (quick smoke run)
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { bytes, fixed, median, summarise, timed, timedPrecise } from './bench-utils.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The CLI as installed: the package's bin, which runs the bundle of scripts/bundle-cli.mjs (npm run build).
const CLI = join(ROOT, 'packages', 'cli', 'bin', 'model-archiver.cjs');
// The unbundled build (tsc -b output), for the before/after rows.
const UNBUNDLED = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const CORE = pathToFileURL(join(ROOT, 'packages', 'core', 'dist', 'index.js')).href;
const MiB = 1024 * 1024;
const BIG_MIB = Number(process.env.BENCH_BIG_MIB ?? 2048);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const RUNS = 7;
const STARTUP_RUNS = 21;

const run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
};

const has = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

function makeBigArchive(dir) {
  const src = join(dir, 'big-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
  const weights = join(src, 'weights.bin');
  const fd = openSync(weights, 'w');
  writeSync(fd, randomBytes(4 * MiB));
  ftruncateSync(fd, BIG_MIB * MiB);
  closeSync(fd);
  run(process.execPath, [CLI, '--model-name', 'big', '--handler', 'handler.mjs', '--serialized-file', 'weights.bin', '-v', '1.0',
    '--flavour', 'node', '--archive-format', 'zip-store', '--export-path', dir, '--quiet'], src);
  rmSync(src, { recursive: true, force: true });
  return join(dir, 'big.mar');
}

function makeManyArchive(dir) {
  const src = join(dir, 'many-src');
  mkdirSync(join(src, 'data'), { recursive: true });
  writeFileSync(join(src, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
  const perFolder = 100;
  for (let i = 0; i < ENTRIES - 1; i += 1) {
    const folder = join(src, 'data', `d${String(Math.floor(i / perFolder)).padStart(3, '0')}`);
    if (i % perFolder === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${String(i).padStart(5, '0')}.json`), JSON.stringify({ id: i, label: `item-${i}`, pad: 'x'.repeat(i % 200) }));
  }
  run(process.execPath, [CLI, '--model-name', 'many', '--handler', 'handler.mjs', '--extra-files', 'data', '-v', '1.0',
    '--flavour', 'node', '--export-path', dir, '--quiet'], src);
  rmSync(src, { recursive: true, force: true });
  return join(dir, 'many.mar');
}

const PY_LIST = 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).infolist()';

function makeSmallArchive(dir) {
  const src = join(dir, 'small-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'handler.mjs'), 'export async function handle(batch) { return batch; }\n');
  run(process.execPath, [CLI, '--model-name', 'small', '--handler', 'handler.mjs', '-v', '1.0', '--flavour', 'node', '--export-path', dir, '--quiet'], src);
  rmSync(src, { recursive: true, force: true });
  return join(dir, 'small.mar');
}

/** Table 1: start-up of every command whose work is O(1), against `node -e ''`. */
function startupTable(big, small) {
  const probe = spawnSync('bash', ['-c', 'echo "$EPOCHREALTIME"'], { encoding: 'utf8' });
  if (probe.status !== 0 || !/^\d+[.,]\d+$/.test(probe.stdout.trim())) {
    console.log('## CLI start-up: skipped (needs bash 5 for $EPOCHREALTIME)\n');
    return;
  }
  const size = BIG_MIB % 1024 === 0 ? `${BIG_MIB / 1024} GiB` : `${BIG_MIB} MiB`;
  const viaMain = { env: { ...process.env, MODEL_ARCHIVER_DIRECT: '0' } };
  const rows = [
    ["`node -e ''` (floor)", process.execPath, ['-e', '']],
    ['`model-archiver -V`', process.execPath, [CLI, '-V']],
    ['`model-archiver --help`', process.execPath, [CLI, '--help']],
    ['`model-archiver inspect --help`', process.execPath, [CLI, 'inspect', '--help']],
    ['`model-archiver completion`', process.execPath, [CLI, 'completion']],
    ['`model-archiver inspct` (unknown command, exit 2)', process.execPath, [CLI, 'inspct', big], {}, 2],
    ['`model-archiver inspect --jsno` (mistyped flag, exit 2)', process.execPath, [CLI, 'inspect', big, '--jsno'], {}, 2],
    [`\`model-archiver inspect --json\` (${size})`, process.execPath, [CLI, 'inspect', big, '--json']],
    [`\`model-archiver inspect\` (${size}, text)`, process.execPath, [CLI, 'inspect', big]],
    [`\`model-archiver lint --format json\` (${size})`, process.execPath, [CLI, 'lint', big, '--format', 'json']],
    ['`model-archiver verify --json` (small)', process.execPath, [CLI, 'verify', small, '--json']],
    [`\`model-archiver inspect --json\` (${size}) through main() (yargs)`, process.execPath, [CLI, 'inspect', big, '--json'], viaMain],
    [`\`model-archiver inspect --json\` (${size}), unbundled dist/bin.js`, process.execPath, [UNBUNDLED, 'inspect', big, '--json']],
  ];
  if (has('python3', ['--version'])) rows.push([`\`python3\` zipfile \`infolist()\` (${size})`, 'python3', ['-c', PY_LIST, big]]);
  for (const [, command, args, options, status] of rows) timedPrecise(command, args, options, status); // warm the page cache
  const samples = rows.map(() => []);
  for (let round = 0; round < STARTUP_RUNS; round += 1) {
    rows.forEach(([, command, args, options, status], i) => samples[i].push(timedPrecise(command, args, options, status)));
  }
  const wall = (i) => median(samples[i].map((sample) => sample.wall));
  const cpu = (i) => median(samples[i].map((sample) => sample.cpu));
  console.log(`## CLI start-up: median of ${STARTUP_RUNS} cold processes, interleaved; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| command | median wall (s) | wall / empty node | median CPU user+sys (s) | CPU / empty node | both within 1.5x |');
  console.log('|---|---|---|---|---|---|');
  rows.forEach(([label], i) => {
    const ratios = [wall(i) / wall(0), cpu(i) / cpu(0)];
    const within = i === 0 ? '' : ratios.every((r) => r <= 1.5) ? '**yes**' : 'no';
    console.log(`| ${label} | ${fixed(wall(i), 3)} | ${fixed(ratios[0])}x | ${fixed(cpu(i), 3)} | ${fixed(ratios[1])}x | ${within} |`);
  });
  console.log('');
}

function coldRows(archive, entries) {
  const tools = [
    ['node (empty process, floor)', process.execPath, ['-e', '']],
    ['model-archiver inspect --json', process.execPath, [CLI, 'inspect', archive, '--json']],
    ['model-archiver lint --format json', process.execPath, [CLI, 'lint', archive, '--format', 'json']],
    ['model-archiver verify --json', process.execPath, [CLI, 'verify', archive, '--json']],
  ];
  if (has('unzip', ['-v'])) tools.push(['unzip -l', 'unzip', ['-l', archive]]);
  if (has('python3', ['--version'])) tools.push(['python3 zipfile infolist()', 'python3', ['-c', PY_LIST, archive]]);
  // Interleaved: each round runs every tool once, so load that drifts over the run hits all of them alike.
  for (const [, command, args, status] of tools) timed(command, args, {}, status); // warm the page cache
  const samples = tools.map(() => []);
  for (let round = 0; round < RUNS; round += 1) {
    tools.forEach(([, command, args, status], i) => samples[i].push(timed(command, args, {}, status)));
  }
  return tools.map(([label], i) => ({ label, entries, ...summarise(samples[i]) }));
}

async function warmRows(archive) {
  const core = await import(CORE);
  const time = async (fn) => {
    await fn();
    const walls = [];
    for (let i = 0; i < RUNS; i += 1) {
      const started = process.hrtime.bigint();
      await fn();
      walls.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return median(walls);
  };
  return [
    { label: 'inspectArchive() (library, warm process)', wall: await time(() => core.inspectArchive(archive)) },
    { label: 'lintArchives() (library, warm process)', wall: await time(() => core.lintArchives([archive])) },
    { label: 'lintArchives({ verify: true }) (hashes every byte)', wall: await time(() => core.lintArchives([archive], { verify: true })) },
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'ma-bench-inspect-'));
try {
  const big = makeBigArchive(dir);
  const many = makeManyArchive(dir);
  const small = makeSmallArchive(dir);
  const cases = [
    { name: `${BIG_MIB} MiB archive (1 stored entry + 3 small)`, path: big, target: 0.1 },
    { name: `${ENTRIES.toLocaleString('en-US')}-entry archive`, path: many, target: 0.3 },
  ];
  console.log(`# inspect / lint benchmark, ${new Date().toISOString()}`);
  console.log(`Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM; cache warm.\n`);
  startupTable(big, small);
  for (const c of cases) {
    const size = statSync(c.path).size;
    console.log(`## ${c.name}: ${bytes(size)} bytes; target under ${c.target * 1000} ms; median of ${RUNS}\n`);
    console.log('| command | median wall (s) | wall / empty node | runs (s) | CPU user+sys (s) | CPU / empty node | peak RSS (MiB) |');
    console.log('|---|---|---|---|---|---|---|');
    const rows = coldRows(c.path);
    const floor = rows[0];
    const cpu = (row) => row.user + row.sys;
    for (const row of rows) {
      console.log(`| ${row.label} | ${fixed(row.wall, 3)} | ${fixed(row.wall / floor.wall)}x | ${row.walls.map((w) => fixed(w, 2)).join(', ')} | ${fixed(cpu(row))} | ${fixed(cpu(row) / cpu(floor))}x | ${fixed(row.rssMiB, 0)} |`);
    }
    for (const row of await warmRows(c.path)) console.log(`| ${row.label} | ${fixed(row.wall, 3)} | | | | | |`);
    console.log('');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
