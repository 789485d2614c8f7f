/**
 * PaddleOCR text recogniser (PP-OCRv4 rec, 6,625 classes) as a model-archiver class handler.
 *
 * Input: one PNG/JPEG of a single line of text per request. Output: `{ "text": "...", "confidence": 0.98 }`.
 * Preprocessing as PaddleOCR does: height 48, width from the aspect ratio (at most 320, padded), values
 * (x / 255 - 0.5) / 0.5, CHW. Postprocessing: greedy CTC decoding (argmax per time step, repeats merged,
 * blank index 0 dropped); index i is line i of ppocr_keys_v1.txt, and the last index is a space.
 *
 * Only Node built-ins are imported: ONNX sessions and image decoding come from the context, since the handler runs
 * from the model cache where no node_modules are reachable.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const HEIGHT = 48;
const MAX_WIDTH = 320;

/** Normalised CHW float data for a batch of decoded RGB images, padded to the widest one. */
export function toTensorData(images, width) {
  const plane = HEIGHT * width;
  const data = new Float32Array(images.length * 3 * plane);
  images.forEach((image, n) => {
    const base = n * 3 * plane;
    for (let y = 0; y < HEIGHT; y += 1) {
      for (let x = 0; x < image.width; x += 1) {
        const p = (y * image.width + x) * 3;
        for (let c = 0; c < 3; c += 1) data[base + c * plane + y * width + x] = (image.data[p + c] / 255 - 0.5) / 0.5;
      }
    }
  });
  return data;
}

/** Greedy CTC decoding of `probs` [N, T, C] into `{ text, confidence }` per item. */
export function ctcDecode(probs, dims, characters) {
  const [batch, steps, classes] = dims;
  const results = [];
  for (let n = 0; n < batch; n += 1) {
    let text = '';
    let sum = 0;
    let count = 0;
    let previous = -1;
    for (let t = 0; t < steps; t += 1) {
      const offset = (n * steps + t) * classes;
      let best = 0;
      let bestValue = -Infinity;
      for (let c = 0; c < classes; c += 1) {
        const value = probs[offset + c];
        if (value > bestValue) {
          bestValue = value;
          best = c;
        }
      }
      if (best !== 0 && best !== previous) {
        text += characters[best - 1] ?? '';
        sum += bestValue;
        count += 1;
      }
      previous = best;
    }
    // Trailing blanks come from the white margin and the padding, not from the text.
    results.push({ text: text.trim(), confidence: count === 0 ? 0 : Number((sum / count).toFixed(4)) });
  }
  return results;
}

/** The recogniser. */
export default class TextRecognizer {
  async initialize(context) {
    this.session = await context.onnx.createSession();
    const keys = await readFile(join(context.modelDir, 'ppocr_keys_v1.txt'), 'utf8');
    const lines = keys.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    this.characters = [...lines, ' '];
  }

  async preprocess(batch, context) {
    const images = await Promise.all(
      batch.map((request) => context.image.decode(request.body, { height: HEIGHT, maxWidth: MAX_WIDTH })),
    );
    const width = Math.max(...images.map((image) => image.width));
    return context.onnx.tensor('float32', toTensorData(images, width), [images.length, 3, HEIGHT, width]);
  }

  async inference(tensor) {
    const outputs = await this.session.run({ [this.session.inputs[0].name]: tensor });
    return outputs[this.session.outputs[0].name];
  }

  postprocess(output) {
    return ctcDecode(output.data, output.dims, this.characters);
  }
}
