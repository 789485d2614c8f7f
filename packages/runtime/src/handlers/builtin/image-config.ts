/**
 * Settings of the built-in `image_classifier`, from the `image_classifier` section of the model config file, with
 * defaults from the model's input shape and TorchServe's ImageNet normalisation; labels from `index_to_name.json`
 * (TorchServe) or `synset.txt` (MMS) at the archive root.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { LABEL_FILE, ModelArchiveError } from '@model-archiver/core/read';

import type { OnnxValueInfo } from '../../onnx/onnx.js';

/**
 * How the image is fitted to width x height: sharp's `fit` modes, or `pad` (PaddleOCR's rule: scale to the height
 * keeping the aspect ratio, squeeze to the width if wider, and fill the rest with zeros after normalisation).
 */
export type ResizeFit = 'fill' | 'cover' | 'contain' | 'inside' | 'outside' | 'pad';

/** Resolved image classifier settings. */
export interface ImageClassifierConfig {
  width: number;
  height: number;
  resize: ResizeFit;
  /** Multiplied into each 0-255 channel value before mean/std (default 1/255). */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: 'rgb' | 'bgr';
  layout: 'NCHW' | 'NHWC';
  topK: number;
  /** `auto`: apply softmax unless the outputs already are probabilities. */
  softmax: boolean | 'auto';
  /** Fill colour for `contain` (default white). */
  background: string;
}

const bad = (message: string, details: Record<string, unknown>): ModelArchiveError =>
  new ModelArchiveError('MODEL_LOAD_FAILED', `image_classifier config: ${message}`, { details });

const num = (section: Record<string, unknown>, key: string, fallback: number, min: number): number => {
  const value = section[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw bad(`${key} must be a number >= ${min}`, { key, value });
  return value;
};

const triple = (section: Record<string, unknown>, key: string, fallback: [number, number, number]): [number, number, number] => {
  const value = section[key];
  if (value === undefined) return fallback;
  if (typeof value === 'number') return [value, value, value];
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number')) {
    throw bad(`${key} must be a number or a list of 3 numbers`, { key, value });
  }
  return value as [number, number, number];
};

const oneOf = <T extends string>(section: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T => {
  const value = section[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw bad(`${key} must be one of ${allowed.join(', ')}`, { key, value });
  return value as T;
};

/** Reads the `image_classifier` section of the model config, filling gaps from the model input `input`. */
export function imageClassifierConfig(modelConfig: Record<string, unknown>, input: OnnxValueInfo | undefined): ImageClassifierConfig {
  const raw = modelConfig['image_classifier'] ?? {};
  if (typeof raw !== 'object' || raw === null) throw bad('the section must be a mapping', {});
  const section = raw as Record<string, unknown>;
  const shape = input?.shape ?? [];
  const layout = oneOf(section, 'layout', ['NCHW', 'NHWC'] as const, shape.length === 4 && shape[3] === 3 && shape[1] !== 3 ? 'NHWC' : 'NCHW');
  const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
  const [hDim, wDim] = layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
  const softmax = section['softmax'];
  if (softmax !== undefined && softmax !== 'auto' && typeof softmax !== 'boolean') throw bad('softmax must be true, false or auto', { softmax });
  return {
    width: num(section, 'width', fixed(wDim) ?? 224, 1),
    height: num(section, 'height', fixed(hDim) ?? 224, 1),
    resize: oneOf(section, 'resize', ['fill', 'cover', 'contain', 'inside', 'outside', 'pad'] as const, 'fill'),
    scale: num(section, 'scale', 1 / 255, 0),
    mean: triple(section, 'mean', [0.485, 0.456, 0.406]),
    std: triple(section, 'std', [0.229, 0.224, 0.225]),
    channelOrder: oneOf(section, 'channelOrder', ['rgb', 'bgr'] as const, 'rgb'),
    layout,
    topK: Math.floor(num(section, 'topK', 5, 1)),
    softmax: (softmax as boolean | 'auto' | undefined) ?? 'auto',
    background: typeof section['background'] === 'string' ? section['background'] : '#ffffff',
  };
}

const readIfExists = async (file: string): Promise<string | undefined> => {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/**
 * Labels by class index: `index_to_name.json` (`{"0": "tabby"}` or `{"0": ["n02123045", "tabby"]}`, the parts joined by
 * a space) or `synset.txt` (one label per line, as MMS). Empty when neither exists (classes are then their index).
 */
export async function loadLabels(modelDir: string): Promise<string[]> {
  const json = await readIfExists(path.join(modelDir, LABEL_FILE));
  if (json !== undefined) {
    let mapping: unknown;
    try {
      mapping = JSON.parse(json);
    } catch (cause) {
      throw new ModelArchiveError('MODEL_LOAD_FAILED', 'index_to_name.json is not valid JSON', { cause });
    }
    if (typeof mapping !== 'object' || mapping === null) throw new ModelArchiveError('MODEL_LOAD_FAILED', 'index_to_name.json must be an object');
    const labels: string[] = [];
    for (const [key, value] of Object.entries(mapping)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0) continue;
      labels[index] = Array.isArray(value) ? value.map(String).join(' ') : String(value);
    }
    return labels;
  }
  const synset = await readIfExists(path.join(modelDir, 'synset.txt'));
  if (synset === undefined) return [];
  const lines = synset.split(/\r?\n/).map((line) => line.trim());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}
