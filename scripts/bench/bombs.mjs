#!/usr/bin/env node
// Benchmark of hostile inputs (docs/performance.md, "Bombs and many entries"). Builds, in a temp folder and in code
// (streamed: nothing is ever written uncompressed), then times cold `model-archiver` processes, median of RUNS:
//   - zero-filled .tar.gz of 64 MiB, 256 MiB and 1 GiB (gzip of zeros, the bomb of issue 11): `inspect` and `extract`;
//   - the same sizes as one zip entry (deflated zeros): `inspect` and `extract`;
//   - the zero .tar.gz read to its end in one warm process with the ratio limit lifted (openArchive, limits raised),
//     to show the cost per inflated byte is constant, with the longest event-loop stall seen (monitorEventLoopDelay);
//   - SIGTERM sent 0.5 s after `extract` opened a 4 GiB tar entry (ratio limit lifted): time to exit and exit code;
//   - `extract` of zips of many tiny entries (10,000 / 35,000 / 70,000), to show the cost per entry is constant.
//
// With BENCH_BASELINE=<folder of another built checkout> (e.g. the commit before issue 11), the same CLI rows are run
// with that checkout's CLI too, once each, killed after BENCH_BASELINE_TIMEOUT seconds (default 60).
//
// Usage: npx tsc -b && node scripts/bench/bombs.mjs                  (a few minutes; needs ~100 MB free in $TMPDIR)
//        BENCH_RUNS=1 BENCH_ENTRIES=2000,4000 node scripts/bench/bombs.mjs   (quick smoke run)
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeflateRaw, createGzip, crc32, gzipSync } from 'node:zlib';

import { buildZip, validManifest } from '../../fixtures/hostile/zip-builder.mjs';
import { fixed, median } from './bench-utils.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin.js');
const CORE = pathToFileURL(join(ROOT, 'packages', 'core', 'dist', 'index.js')).href;
const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZES_MIB = (process.env.BENCH_SIZES ?? '64,256,1024').split(',').map(Number);
const ENTRY_COUNTS = (process.env.BENCH_ENTRIES ?? '10000,35000,70000').split(',').map(Number);
const BASELINE = process.env.BENCH_BASELINE === undefined ? undefined : join(process.env.BENCH_BASELINE, 'packages', 'cli', 'dist', 'bin.js');
const BASELINE_TIMEOUT = Number(process.env.BENCH_BASELINE_TIMEOUT ?? 60);

/** `mib` MiB of zeros, as 1 MiB chunks (one shared buffer: nothing is held). */
function* zeros(mib) {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < mib; i += 1) yield chunk;
}

/** A .tar.gz that is nothing but zeros (as the attack: gzip of /dev/zero). */
async function zeroTgz(file, mib) {
  await pipeline(Readable.from(zeros(mib)), createGzip({ level: 9 }), createWriteStream(file));
}

/** A zip with one deflated entry of zeros and a manifest; sizes and CRC are the real ones. */
async function zeroZip(file, mib) {
  const parts = [];
  await pipeline(Readable.from(zeros(mib)), createDeflateRaw({ level: 9 }), async function* (source) {
    for await (const chunk of source) parts.push(chunk);
  });
  let crc = 0;
  for (const chunk of zeros(mib)) crc = crc32(chunk, crc);
  const raw = Buffer.concat(parts);
  writeFileSync(file, buildZip([{ name: 'MAR-INF/MANIFEST.json', data: validManifest() }, { name: 'zeros.bin', raw, crc, size: mib * MiB, compressedSize: raw.length }]));
}

/** A ustar header for one regular file of `size` bytes. */
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\u000000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A .tar.gz with one `gib` GiB entry of zeros: gzip members of 64 MiB of zeros, repeated (built in milliseconds). */
function bigEntryTgz(file, gib) {
  const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
  const parts = [gzipSync(tarHeader('m/zeros.bin', gib * 1024 * MiB))];
  for (let i = 0; i < gib * 16; i += 1) parts.push(member);
  writeFileSync(file, Buffer.concat(parts));
}

/**
 * A zip of `count` tiny entries in 100 folders, plus a manifest, written with our ZipWriter (ZIP64 end records past
 * 65,535 entries; the hand-made zips of fixtures/hostile have 16-bit counts only).
 */
async function manyEntriesZip(core, file, count) {
  const handle = await open(file, 'w');
  try {
    const zip = new core.ZipWriter(handle, file, { date: new Date('2026-01-01T00:00:00Z') });
    await zip.addBuffer('MAR-INF/MANIFEST.json', Buffer.from(validManifest()));
    for (let i = 0; i < count; i += 1) await zip.addBuffer(`d${i % 100}/f${i}.txt`, Buffer.from(`x${i}`));
    await zip.finish();
  } finally {
    await handle.close();
  }
}

/** Runs the CLI (`bin`, default ours) once: wall seconds, exit code and the error code it printed. */
function cli(args, cwd, bin = CLI, timeoutS = undefined) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args, '--json'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    ...(timeoutS === undefined ? {} : { timeout: timeoutS * 1000, killSignal: 'SIGKILL' }),
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status === null) return { wall, exit: 'killed', code: `> ${timeoutS} s, killed`, files: undefined };
  let code = 'ok';
  let files;
  try {
    const json = JSON.parse(result.stdout);
    code = json.error?.code ?? 'ok';
    files = json.files;
  } catch {
    code = '?';
  }
  return { wall, exit: result.status, code, files };
}

/** One run of the baseline CLI, as a table cell: `12.3 s` or `> 60 s (killed)`. */
function baselineCell(args, cwd, cleanup = () => {}) {
  if (BASELINE === undefined) return undefined;
  const r = cli(args, cwd, BASELINE, BASELINE_TIMEOUT);
  cleanup();
  return r.exit === 'killed' ? `> ${BASELINE_TIMEOUT} (killed)` : `${fixed(r.wall)} (exit ${r.exit}${r.files === undefined ? '' : `, ${r.files} files`})`;
}

function timeCli(args, cwd, cleanup = () => {}) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    runs.push(cli(args, cwd));
    cleanup();
  }
  return { walls: runs.map((r) => r.wall), wall: median(runs.map((r) => r.wall)), exit: runs[0].exit, code: runs[0].code, files: runs[0].files };
}

/** True once `pid` has a file ending in `name` open (Linux): the command is running, its signal handlers installed. */
function hasOpen(pid, name) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(name);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Sends SIGTERM `afterMs` after the run opened `archive` (Linux; elsewhere `afterMs` after the start); returns seconds
 * from the signal to the exit, and the exit code.
 */
function termLatency(args, cwd, archive, afterMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: 'ignore' });
    let sent;
    let timer;
    const poll = setInterval(() => {
      if (process.platform === 'linux' && !hasOpen(child.pid, archive)) return;
      clearInterval(poll);
      timer = setTimeout(() => {
        sent = process.hrtime.bigint();
        child.kill('SIGTERM');
      }, afterMs);
    }, 10);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ latency: sent === undefined ? NaN : Number(process.hrtime.bigint() - sent) / 1e9, exit: code });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bench-bombs-'));
const rows = [];
const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
try {
  const load = loadavg()[0];
  const core = await import(CORE);

  const base = BASELINE === undefined ? [] : ['before (s, one run)', 'before / after'];
  row('input', 'command', 'wall runs (s)', '**median (s)**', 'exit', 'code', ...base);
  row('---', '---', '---', '---', '---', '---', ...base.map(() => '---'));
  for (const mib of SIZES_MIB) {
    const tgz = join(dir, `zeros-${mib}.tar.gz`);
    await zeroTgz(tgz, mib);
    const zip = join(dir, `zeros-${mib}.mar`);
    await zeroZip(zip, mib);
    for (const [label, file] of [[`tar.gz, ${mib} MiB of zeros`, tgz], [`zip, ${mib} MiB of zeros`, zip]]) {
      for (const command of ['inspect', 'extract']) {
        const args = command === 'inspect' ? ['inspect', file] : ['extract', file, join(dir, 'out')];
        const clean = () => rmSync(join(dir, 'out'), { recursive: true, force: true });
        const r = timeCli(args, dir, clean);
        const before = baselineCell(args, dir, clean);
        const ratio = before === undefined ? [] : [before, `${fixed(Number.parseFloat(before.replace('> ', '')) / r.wall, 0)}x${before.startsWith('>') ? '+' : ''}`];
        row(label, command, r.walls.map((w) => fixed(w)).join(', '), `**${fixed(r.wall)}**`, r.exit, r.code, ...ratio);
      }
    }
  }
  const bombTable = rows.splice(0);

  // Whole stream, limits lifted, one warm process: the cost per inflated byte and the longest event-loop stall.
  row('zero .tar.gz read to its end', 'runs (s)', '**median (s)**', 'MiB/s', 'longest event-loop stall (ms)', 'code');
  row('---', '---', '---', '---', '---', '---');
  for (const mib of SIZES_MIB) {
    const tgz = join(dir, `zeros-${mib}.tar.gz`);
    const walls = [];
    let stall = 0;
    let code;
    for (let i = 0; i < RUNS; i += 1) {
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      const started = process.hrtime.bigint();
      // Read to its end, then refused: a stream of zeros holds no tar entry (ARCHIVE_CORRUPT).
      code = await core.openArchive(tgz, { limits: { maxCompressionRatio: 1e9 } }).then(
        async (archive) => {
          await archive.close();
          return 'ok';
        },
        (error) => error.code,
      );
      walls.push(Number(process.hrtime.bigint() - started) / 1e9);
      histogram.disable();
      stall = Math.max(stall, histogram.max / 1e6);
    }
    row(`${mib} MiB`, walls.map((w) => fixed(w)).join(', '), `**${fixed(median(walls))}**`, fixed(mib / median(walls), 0), fixed(stall, 0), code);
  }
  const linearTable = rows.splice(0);

  const big = join(dir, 'big-entry.tar.gz');
  bigEntryTgz(big, 4);
  const latencies = [];
  let exit;
  for (let i = 0; i < RUNS; i += 1) {
    const r = await termLatency(['extract', big, join(dir, 'term-out'), '--max-ratio', '1000000000'], dir, 'big-entry.tar.gz', 500);
    latencies.push(r.latency);
    exit = r.exit;
    rmSync(join(dir, 'term-out'), { recursive: true, force: true });
  }
  const leftovers = spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.includes('term-out'));
  row('SIGTERM 0.5 s after `extract` opened a 4 GiB tar entry (ratio limit lifted)', 'runs (s)', '**median (s)**', 'exit', 'left behind');
  row('---', '---', '---', '---', '---');
  row('signal to exit', latencies.map((w) => fixed(w, 3)).join(', '), `**${fixed(median(latencies), 3)}**`, exit, leftovers.length === 0 ? 'nothing' : leftovers.join(' '));
  const termTable = rows.splice(0);

  row('zip of tiny entries', 'runs (s)', '**median (s)**', 'ms per entry', ...base);
  row('---', '---', '---', '---', ...base.map(() => '---'));
  for (const count of ENTRY_COUNTS) {
    const zip = join(dir, `entries-${count}.mar`);
    await manyEntriesZip(core, zip, count);
    const r = timeCli(['extract', zip, join(dir, 'many-out')], dir, () => rmSync(join(dir, 'many-out'), { recursive: true, force: true }));
    if (r.exit !== 0 || r.files !== count + 1) throw new Error(`extract of ${count} entries failed: ${r.code}, ${r.files} files`);
    const before = baselineCell(['extract', zip, join(dir, 'many-out')], dir, () => rmSync(join(dir, 'many-out'), { recursive: true, force: true }));
    const ratio = before === undefined ? [] : [before, `${fixed(Number.parseFloat(before.replace('> ', '')) / r.wall, 1)}x${before.startsWith('>') ? '+' : ''}`];
    row(`${count.toLocaleString('en-US')} entries`, r.walls.map((w) => fixed(w)).join(', '), `**${fixed(r.wall)}**`, fixed((r.wall * 1000) / count, 3), ...ratio);
  }
  const entryTable = rows.splice(0);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `Machine: ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ` +
      `${new Date().toISOString().slice(0, 10)}, 1-min load average ${fixed(load)} before / ${fixed(loadavg()[0])} after, ${RUNS} runs each\n\n` +
      `${bombTable.join('\n')}\n\n${linearTable.join('\n')}\n\n${termTable.join('\n')}\n\n${entryTable.join('\n')}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
