/**
 * Built-in `image_classifier`: decodes PNG/JPEG bodies (sharp), resizes and normalises them per the model config,
 * runs the batch as one tensor, applies softmax when needed and answers the top k classes per image, shaped as MMS
 * does: `[{ "probability": 0.71, "class": "n02123045 tabby, tabby cat" }, ...]`.
 */
import { ModelArchiveError, toFloat16Bits } from '@model-archiver/core/read';

import type { HandlerContext, HandlerRequest } from '../../context.js';
import { decodeImage, type DecodedImage } from '../image-decode.js';
import type { OnnxSession, OnnxTensor } from '../../onnx/onnx.js';
import { imageClassifierConfig, loadLabels, type ImageClassifierConfig } from './image-config.js';

/** One answer of the classifier. */
export interface ClassProbability {
  probability: number;
  class: string;
}

const imageBytes = (request: HandlerRequest, index: number): Buffer => {
  const body = request.body;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'string') return Buffer.from(body, 'base64');
  const data = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['data'] : undefined;
  if (typeof data === 'string') return Buffer.from(data, 'base64');
  throw new ModelArchiveError('INPUT_INVALID', `Request ${index}: expected image bytes (PNG or JPEG) or base64 text`, { details: { request: index } });
};

/** Softmax of one row, in place. */
const softmax = (row: Float64Array): void => {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < row.length; i += 1) {
    row[i] = Math.exp((row[i] as number) - max);
    sum += row[i] as number;
  }
  for (let i = 0; i < row.length; i += 1) row[i] = (row[i] as number) / sum;
};

const isDistribution = (row: Float64Array): boolean => {
  let sum = 0;
  for (const v of row) {
    if (v < 0 || v > 1) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
};

/** The built-in image classification handler (preprocess / inference / postprocess steps). */
export class ImageClassifierHandler {
  #session: OnnxSession | undefined;
  #config: ImageClassifierConfig | undefined;
  #labels: string[] = [];

  /** Opens the model, reads the config and the labels. */
  async initialize(context: HandlerContext): Promise<void> {
    // The labels are read while the session is created; a session failure is reported first.
    const labels = loadLabels(context.modelDir);
    labels.catch(() => undefined);
    this.#session = await context.onnx.createSession();
    const input = this.#session.inputs[0];
    if (input === undefined || (input.type !== 'float32' && input.type !== 'float16')) {
      throw new ModelArchiveError('MODEL_LOAD_FAILED', 'image_classifier needs a model whose first input is a float32 or float16 image tensor', {
        details: { input },
      });
    }
    this.#config = imageClassifierConfig(context.modelConfig, input);
    this.#labels = await labels;
  }

  /** Decodes, resizes and normalises every image into one [N, 3, H, W] (or NHWC) float tensor. */
  async preprocess(batch: HandlerRequest[]): Promise<OnnxTensor> {
    const config = this.#config as ImageClassifierConfig;
    const session = this.#session as OnnxSession;
    const { width, height } = config;
    const plane = width * height;
    const data = new Float32Array(batch.length * 3 * plane);
    await Promise.all(
      batch.map(async (request, n) => {
        let image: DecodedImage;
        try {
          image = await decodeImage(
            imageBytes(request, n),
            config.resize === 'pad'
              ? { height, maxWidth: width, background: config.background }
              : { width, height, fit: config.resize, background: config.background },
          );
        } catch (cause) {
          // decodeImage already says what is wrong (coded INPUT_INVALID); add which request of the batch it was.
          throw new ModelArchiveError('INPUT_INVALID', `Request ${n}: ${(cause as Error).message}`, {
            cause,
            details: { request: n },
          });
        }
        const pixels = image.data;
        const base = n * 3 * plane;
        // With `pad`, columns past the image's width stay 0 (the normalised padding value PaddleOCR uses).
        const rows = Math.min(height, image.height);
        const columns = Math.min(width, image.width);
        for (let y = 0; y < rows; y += 1) {
          for (let x = 0; x < columns; x += 1) {
            const p = y * width + x;
            const q = (y * image.width + x) * 3;
            for (let c = 0; c < 3; c += 1) {
              const source = config.channelOrder === 'rgb' ? c : 2 - c;
              const value = ((pixels[q + source] as number) * config.scale - config.mean[c]!) / config.std[c]!;
              data[config.layout === 'NCHW' ? base + c * plane + p : base + p * 3 + c] = value;
            }
          }
        }
      }),
    );
    const dims = config.layout === 'NCHW' ? [batch.length, 3, height, width] : [batch.length, height, width, 3];
    const input = session.inputs[0]!;
    return input.type === 'float16'
      ? { type: 'float16', data: Uint16Array.from(data, toFloat16Bits), dims }
      : { type: 'float32', data, dims };
  }

  /**
   * Runs the model on the batch tensor as ONE call and returns its first output. A model with a fixed first
   * dimension (e.g. 1) that the batch does not match runs in chunks of that size, outputs concatenated.
   */
  async inference(tensor: OnnxTensor): Promise<OnnxTensor> {
    const session = this.#session as OnnxSession;
    const inputName = session.inputs[0]!.name;
    const outputName = session.outputs[0]!.name;
    const fixed = session.inputs[0]!.shape[0];
    const total = tensor.dims[0] ?? 1;
    if (typeof fixed !== 'number' || fixed <= 0 || fixed === total || total % fixed !== 0) {
      return (await session.run({ [inputName]: tensor }))[outputName] as OnnxTensor;
    }
    const data = tensor.data as Float32Array | Uint16Array;
    const step = (data.length / total) * fixed;
    const parts: OnnxTensor[] = [];
    for (let start = 0; start < data.length; start += step) {
      const chunk = { type: tensor.type, data: data.slice(start, start + step), dims: [fixed, ...tensor.dims.slice(1)] };
      parts.push((await session.run({ [inputName]: chunk }))[outputName] as OnnxTensor);
    }
    const first = parts[0] as OnnxTensor;
    const width = (first.data as ArrayLike<number>).length;
    const values = new (first.data.constructor as new (n: number) => Float32Array)(width * parts.length);
    parts.forEach((part, k) => values.set(part.data as ArrayLike<number>, k * width));
    return { type: first.type, data: values, dims: [total, ...first.dims.slice(1)] };
  }

  /** Softmax (when needed) and top k per image. */
  postprocess(output: OnnxTensor): ClassProbability[][] {
    const config = this.#config as ImageClassifierConfig;
    const [batch = 1] = output.dims;
    const values = output.data as ArrayLike<number>;
    const classes = values.length / batch;
    const results: ClassProbability[][] = [];
    for (let n = 0; n < batch; n += 1) {
      const row = Float64Array.from({ length: classes }, (_, i) => Number(values[n * classes + i]));
      if (config.softmax === true || (config.softmax === 'auto' && !isDistribution(row))) softmax(row);
      const order = Array.from(row.keys()).sort((a, b) => (row[b] as number) - (row[a] as number));
      results.push(
        order.slice(0, config.topK).map((i) => ({ probability: row[i] as number, class: this.#labels[i] ?? String(i) })),
      );
    }
    return results;
  }
}
