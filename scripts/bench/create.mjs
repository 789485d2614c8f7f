#!/usr/bin/env node
// Benchmark of archive creation (docs/performance.md, "Create"): one run of this script measures, side by side,
// `cp` (floor), `python3 -m zipfile -c` (CPython zipfile, deflate level 6: the reference archivers' engine) and our
// buildArchive in `default` and `zip-store` formats, on a random (incompressible) file and a compressible CSV file.
// Each row is the median of 3 runs (5 when a run takes under 3 s), timed with /usr/bin/time -v in a child process
// (wall, user, sys, peak RSS). Inputs are generated in a temp folder (page cache warm) and deleted afterwards.
//
// Usage: node scripts/bench/create.mjs            (1 GiB random + 512 MiB compressible; a few minutes)
//        BENCH_RANDOM_MIB=128 BENCH_TEXT_MIB=64 node scripts/bench/create.mjs   (quick smoke run)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { bytes, fixed, summarise, timed } from './bench-utils.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'scripts', 'bench', 'build-child.mjs');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const MiB = 1024 * 1024;
const RANDOM_MIB = Number(process.env.BENCH_RANDOM_MIB ?? 1024);
const TEXT_MIB = Number(process.env.BENCH_TEXT_MIB ?? 512);

/** Deterministic CSV-like text that deflate level 6 shrinks about 8x. */
function writeCompressible(path, size) {
  const words = ['alpha', 'beta', 'gamma', 'delta'];
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const fd = openSync(path, 'w');
  let written = 0;
  let row = 0;
  while (written < size) {
    const lines = [];
    for (let i = 0; i < 20000; i += 1, row += 1) {
      const r = next();
      lines.push(`${row},2024-01-1${r % 2},${words[r % 4]},${(r >>> 8) % 10}.5,ok\n`);
    }
    const chunk = Buffer.from(lines.join('')).subarray(0, size - written);
    writeSync(fd, chunk);
    written += chunk.length;
  }
  closeSync(fd);
}

function ensureBuilt() {
  const result = spawnSync('npx', ['tsc', '-b', 'packages/core'], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(ROOT, 'packages', 'core', 'dist', 'index.js'))) {
    throw new Error(`packages/core is not built:\n${result.stdout}${result.stderr}`);
  }
}

function main() {
  ensureBuilt();
  const loadBefore = loadavg()[0];
  const work = mkdtempSync(join(tmpdir(), 'bench-create-'));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    const cases = [
      { label: `random ${RANDOM_MIB} MiB`, folder: join(work, 'random'), file: 'weights.dat', size: RANDOM_MIB * MiB },
      { label: `compressible ${TEXT_MIB} MiB`, folder: join(work, 'text'), file: 'data.csv', size: TEXT_MIB * MiB },
    ];
    for (const c of cases) {
      mkdirSync(c.folder);
      writeFileSync(join(c.folder, 'handler.py'), 'def handle(data, context):\n    return data\n');
      const path = join(c.folder, c.file);
      if (c.file === 'weights.dat') spawnSync('sh', ['-c', `head -c ${c.size} /dev/urandom > '${path}'`]);
      else writeCompressible(path, c.size);
      spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
    }
    const out = join(work, 'out');
    const reset = () => rmSync(out, { recursive: true, force: true });
    /** 3 runs, 5 when a run takes under 3 s; the output is removed before each run. */
    const measure = (once) => {
      const samples = [];
      do {
        reset();
        samples.push(once());
      } while (samples.length < (samples[0].wall < 3 ? 5 : 3));
      return summarise(samples);
    };
    const rows = [];
    for (const c of cases) {
      const input = join(c.folder, c.file);
      const tools = [
        { tool: '`cp`', run: () => (mkdirSync(out, { recursive: true }), timed('cp', [input, join(out, 'copy')])), output: () => join(out, 'copy') },
        {
          tool: '`python3 -m zipfile -c` (deflate 6)',
          run: () => (mkdirSync(out, { recursive: true }), timed('python3', ['-m', 'zipfile', '-c', join(out, 'm.zip'), input])),
          output: () => join(out, 'm.zip'),
        },
        {
          tool: 'Python `zipfile` STORED',
          run: () => (
            mkdirSync(out, { recursive: true }),
            timed('python3', ['-c', 'import sys,zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.write(sys.argv[2], "x")', join(out, 'm.zip'), input])
          ),
          output: () => join(out, 'm.zip'),
        },
        ...[
          ['buildArchive `default` (auto)', {}],
          ['buildArchive `zip-store`', { archiveFormat: 'zip-store' }],
          ...(c.file === 'weights.dat' ? [['buildArchive `default`, compression `deflate`', { compression: 'deflate' }]] : []),
        ].map(([tool, extra]) => ({
          tool,
          run: () => timed(process.execPath, [CHILD, JSON.stringify({ modelName: 'm', handler: 'handler:handle', modelPath: c.folder, exportPath: out, ...extra })]),
          output: () => join(out, 'm.mar'),
        })),
        ...(existsSync(CLI)
          ? [{
              tool: 'CLI `model-archiver create` (default)',
              run: () => timed(process.execPath, [CLI, 'create', '--model-name', 'm', '--handler', 'handler:handle', '--model-path', c.folder, '--export-path', out, '--quiet']),
              output: () => join(out, 'm.mar'),
            }]
          : []),
      ];
      let cpWall = NaN;
      for (const t of tools) {
        let result;
        try {
          result = measure(t.run);
        } catch (error) {
          rows.push(`| ${c.label} | ${t.tool} | failed: ${String(error.message).split('\n')[0]} | | | | | | | | |`);
          continue;
        }
        const size = statSync(t.output()).size;
        if (t.tool === '`cp`') cpWall = result.wall;
        rows.push(
          `| ${c.label} | ${t.tool} | ${result.walls.map((w) => fixed(w)).join(', ')} | **${fixed(result.wall)}** | ${fixed(Math.min(...result.walls))} | ${fixed(result.user)} | ${fixed(result.sys)} | ${fixed(result.rssMiB, 0)} | ${bytes(size)} | ${fixed(size / c.size, 3)} | ${fixed(result.wall / cpWall, 1)}x |`,
        );
        process.stderr.write(`${rows.at(-1)}\n`);
        reset();
      }
    }
    const header = [
      `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 1-min load average ${fixed(loadBefore)} before / ${fixed(loadavg()[0])} after`,
      '',
      '| input | tool | wall runs (s) | median wall (s) | best wall (s) | user (s) | sys (s) | peak RSS (MiB) | output bytes | out/in | median vs cp |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    ];
    process.stdout.write(`${[...header, ...rows].join('\n')}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
