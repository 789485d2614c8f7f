#!/usr/bin/env node
// Fuzzes the archive reader: mutates valid archives (bit flips, byte and header-field overwrites, truncations,
// inserted/deleted/duplicated bytes, tar-level mutations re-gzipped) and runs each through open -> read every entry
// -> read the manifest -> extract, in worker threads with a per-case timeout. Every outcome must be success or a coded
// ModelArchiveError; anything else (an uncoded error, a crash of the worker, a hang, a file written outside the
// target) is a finding. Uses the BUILT core: run `npx tsc -b packages/core` first.
//
//   node scripts/fuzz-archives.mjs [--cases 10000] [--seed 1] [--workers 2] [--timeout 20000] [--findings DIR] [--json]
//
// Exit status: 0 when every case ended in success or a coded error, 1 otherwise.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { gunzipSync, gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE = join(ROOT, 'packages/core/dist/index.js');

// ---------------------------------------------------------------- worker: runs cases
async function worker() {
  const core = await import(pathToFileURL(CORE).href);
  const { runCase, cleanWork } = await import(pathToFileURL(join(ROOT, 'fixtures/hostile/run-case.mjs')).href);
  const base = await mkdtemp(join(workerData.tmp, 'w-'));
  parentPort.on('message', async ({ id, bytes, ext }) => {
    const archive = join(base, `case${ext}`);
    const work = join(base, 'work');
    await writeFile(archive, Buffer.from(bytes));
    const outcome = await runCase(core, archive, work);
    const error = outcome.code === undefined && outcome.error !== undefined ? String(outcome.error?.stack ?? outcome.error) : undefined;
    await cleanWork(work);
    parentPort.postMessage({ id, stage: outcome.stage, code: outcome.code, error, outside: outcome.outside });
  });
  parentPort.postMessage({ ready: true });
}

// ---------------------------------------------------------------- main: mutates, schedules, counts
async function main() {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '20000' },
      findings: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!existsSync(CORE)) {
    process.stderr.write(`fuzz-archives: ${CORE} is missing; run \`npx tsc -b packages/core\` first\n`);
    process.exit(2);
  }
  const total = Number(values.cases);
  const rand = prng(Number(values.seed));
  const seeds = await loadSeeds();
  const tmp = await mkdtemp(join(tmpdir(), 'ma-fuzz-'));
  const findingsDir = values.findings ?? join(tmp, 'findings');
  const counts = { cases: 0, ok: 0, coded: 0, crash: 0, hang: 0, escape: 0 };
  const byCode = {};
  const byMutator = {};
  const findings = [];
  const started = Date.now();

  const cases = function* () {
    for (let i = 0; i < total; i += 1) {
      const seed = seeds[Math.floor(rand() * seeds.length)];
      const { bytes, mutator } = mutate(seed, rand);
      yield { id: i, bytes, ext: seed.ext, seed: seed.name, mutator };
    }
  };
  const queue = cases();
  const record = (c, result) => {
    counts.cases += 1;
    byMutator[c.mutator] = (byMutator[c.mutator] ?? 0) + 1;
    let kind;
    if (result.hang) kind = 'hang';
    else if (result.outside?.length) kind = 'escape';
    else if (result.stage === 'ok') kind = 'ok';
    else if (result.code !== undefined) kind = 'coded';
    else kind = 'crash';
    counts[kind] += 1;
    if (kind === 'coded') byCode[result.code] = (byCode[result.code] ?? 0) + 1;
    if (kind !== 'ok' && kind !== 'coded') {
      mkdirSync(findingsDir, { recursive: true });
      const file = join(findingsDir, `${kind}-${c.id}${c.ext}`);
      writeFileSync(file, c.bytes);
      findings.push({ kind, id: c.id, seed: c.seed, mutator: c.mutator, file, stage: result.stage, error: result.error?.split('\n').slice(0, 6).join('\n'), outside: result.outside });
    }
    if (counts.cases % 1000 === 0 && !values.json) process.stderr.write(`  ${counts.cases}/${total} cases\n`);
  };

  const runWorker = () =>
    new Promise((resolve) => {
      const spawn = () => {
        const w = new Worker(fileURLToPath(import.meta.url), { workerData: { tmp } });
        let current;
        let timer;
        const next = () => {
          const item = queue.next();
          if (item.done) {
            w.removeAllListeners();
            void w.terminate().then(resolve);
            return;
          }
          current = item.value;
          timer = setTimeout(() => {
            // A hang: the case never finished. Kill the worker (even a busy loop) and start a fresh one.
            record(current, { hang: true, stage: 'timeout' });
            current = undefined;
            w.removeAllListeners();
            void w.terminate().then(spawn);
          }, Number(values.timeout));
          w.postMessage({ id: current.id, bytes: current.bytes, ext: current.ext });
        };
        w.on('message', (msg) => {
          if (msg.ready) return next();
          clearTimeout(timer);
          record(current, msg);
          current = undefined;
          next();
        });
        w.on('error', (error) => {
          // An uncaught exception or unhandled rejection inside the reader: a crash of the process.
          clearTimeout(timer);
          if (current !== undefined) record(current, { stage: 'crash', error: String(error?.stack ?? error) });
          current = undefined;
          w.removeAllListeners();
          void w.terminate().then(spawn);
        });
      };
      spawn();
    });

  await Promise.all(Array.from({ length: Number(values.workers) }, runWorker));
  const seconds = (Date.now() - started) / 1000;
  const summary = { ...counts, seconds, seed: Number(values.seed), seeds: seeds.map((s) => s.name), byCode: sortObject(byCode), byMutator: sortObject(byMutator), findings };
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    const out = [
      `fuzz-archives: ${counts.cases} cases in ${seconds.toFixed(1)} s (seed ${values.seed}, ${seeds.length} seed archives)`,
      `  ok ${counts.ok}, coded errors ${counts.coded}, crashes ${counts.crash}, hangs ${counts.hang}, writes outside target ${counts.escape}`,
      '  coded errors by code:',
      ...Object.entries(summary.byCode).map(([code, n]) => `    ${code.padEnd(26)} ${n}`),
      '  cases by mutator:',
      ...Object.entries(summary.byMutator).map(([m, n]) => `    ${m.padEnd(26)} ${n}`),
      ...findings.slice(0, 20).map((f) => `  FINDING ${f.kind} case ${f.id} (${f.seed}, ${f.mutator}) saved to ${f.file}\n    ${(f.error ?? f.outside?.join(', ') ?? '').replace(/\n/g, '\n    ')}`),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
  // Keep the temporary folder only when it holds the saved findings.
  if (findings.length === 0 || values.findings !== undefined) await rm(tmp, { recursive: true, force: true });
  process.exitCode = counts.crash + counts.hang + counts.escape > 0 ? 1 : 0;
}

/** Seeds: the valid archives of the hostile builder plus the committed reference archives. */
async function loadSeeds() {
  const { validSeeds } = await import(pathToFileURL(join(ROOT, 'fixtures/hostile/cases.mjs')).href);
  const seeds = validSeeds().map(([name, bytes]) => ({ name, bytes, ext: name.endsWith('.tar.gz') ? '.tar.gz' : '.mar' }));
  const refs = join(ROOT, 'fixtures/reference-fixture/cases');
  if (existsSync(refs)) {
    for (const dir of readdirSync(refs)) {
      for (const file of readdirSync(join(refs, dir))) {
        if (/\.(mar|tar\.gz)$/.test(file)) seeds.push({ name: `${dir}/${file}`, bytes: readFileSync(join(refs, dir, file)), ext: file.endsWith('.tar.gz') ? '.tar.gz' : '.mar' });
      }
    }
  }
  return seeds;
}

/** mulberry32: a small deterministic PRNG so a run can be replayed with its seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0xfffffffe, 0x10000];
const SIGNATURES = [0x04034b50, 0x02014b50, 0x06054b50, 0x06064b50, 0x07064b50];

/** One random mutation of a seed. Tar seeds are mutated inside the gzip half of the time (and re-gzipped). */
function mutate(seed, rand) {
  const pick = (n) => Math.floor(rand() * n);
  let bytes = Buffer.from(seed.bytes);
  let inner = false;
  if (seed.ext === '.tar.gz' && rand() < 0.5) {
    bytes = gunzipSync(bytes);
    inner = true;
  }
  const mutators = {
    bitflip() {
      for (let i = 0, n = 1 + pick(8); i < n; i += 1) bytes[pick(bytes.length)] ^= 1 << pick(8);
    },
    byte() {
      for (let i = 0, n = 1 + pick(4); i < n; i += 1) bytes[pick(bytes.length)] = [0, 0xff, 0x7f, 0x80, 0x2f, 0x2e, 0x5c][pick(7)] ?? pick(256);
    },
    field() {
      // Overwrite a 16- or 32-bit field of a zip record (or of a tar header) with an interesting value.
      const offsets = [];
      for (let i = 0; i + 4 <= bytes.length; i += 1) if (SIGNATURES.includes(bytes.readUInt32LE(i))) offsets.push(i);
      for (let i = 0; i + 512 <= bytes.length && inner; i += 512) offsets.push(i);
      const base = offsets.length ? offsets[pick(offsets.length)] : 0;
      const at = Math.min(bytes.length - 4, base + pick(46));
      if (at < 0) return;
      const value = INTERESTING[pick(INTERESTING.length)] ?? 0;
      if (rand() < 0.5) bytes.writeUInt16LE(value & 0xffff, at);
      else bytes.writeUInt32LE(value >>> 0, at);
    },
    truncate() {
      bytes = bytes.subarray(0, pick(bytes.length));
    },
    insert() {
      const at = pick(bytes.length + 1);
      const extra = Buffer.alloc(1 + pick(64));
      for (let i = 0; i < extra.length; i += 1) extra[i] = pick(256);
      bytes = Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]);
    },
    remove() {
      const at = pick(bytes.length);
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(64))]);
    },
    duplicate() {
      const at = pick(bytes.length);
      const chunk = bytes.subarray(at, at + 1 + pick(256));
      const to = pick(bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, to), chunk, bytes.subarray(to)]);
    },
  };
  const names = Object.keys(mutators);
  const name = names[pick(names.length)];
  if (bytes.length > 0) mutators[name]();
  if (inner) bytes = gzipSync(bytes);
  return { bytes, mutator: `${inner ? 'tar-' : ''}${name}` };
}

function sortObject(object) {
  return Object.fromEntries(Object.entries(object).sort(([, a], [, b]) => b - a));
}

if (isMainThread) await main();
else await worker();
