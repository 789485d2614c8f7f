/**
 * TorchServe's own Postman collections (fixtures/torchserve-postman, vendored verbatim from pytorch/serve) run through
 * newman against `model-server`, with archives built by our tool. The adaptations (docs/server.md, "TorchServe Postman
 * collections") are made here, in code, so the vendored files stay as TorchServe ships them:
 *  1. the environment points at our ephemeral ports on 127.0.0.1;
 *  2. remote `.mar` URLs of inference_data.json become local archives named after the model;
 *  3. the one remote URL of a management request that expects TorchServe's download conflict ("Model Re-Registration
 *     Densenet161", 500) becomes the local archive, and expects TorchServe's answer to a local re-registration, 409;
 *  4. the inference collection's metrics request names `localhost:8082`; it gets the environment's metrics port;
 *  5. the data files (kitten.jpg, 0.png, persons.jpg, sample_text.txt) are images and text made here.
 * Every assertion must pass except those that compare against the outputs of TorchServe's PyTorch weights.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLS_MODEL, HANDLERS, startServerProcess, tempDir, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/torchserve-postman/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../examples/ocr-orientation/', import.meta.url));

/** The part of newman's run summary read here. */
interface NewmanFailure {
  error: { test?: string; message: string };
  source?: { name?: string };
  cursor: { iteration: number };
}
interface NewmanSummary {
  run: { failures: NewmanFailure[]; stats: { assertions: { total: number; failed: number } } };
}
type NewmanRun = (options: Record<string, unknown>, done: (error: Error | null, summary: NewmanSummary) => void) => void;

const newman = createRequire(import.meta.url)('newman') as { run: NewmanRun };

const runCollection = (options: Record<string, unknown>): Promise<NewmanSummary> =>
  new Promise((resolve, reject) => newman.run({ reporters: [], timeoutRequest: 60_000, ...options }, (error, summary) => (error === null ? resolve(summary) : reject(error))));

const readJson = async <T>(name: string): Promise<T> => JSON.parse(await readFile(path.join(FIXTURES, name), 'utf8')) as T;

/** The environment of the collections, pointed at our server. */
const environmentFor = async (server: RunningServer): Promise<Record<string, unknown>> => {
  const environment = await readJson<{ values: { key: string; value: string }[] }>('environment.json');
  const port = (url: string): string => new URL(url).port;
  const overrides: Record<string, string> = {
    hostname: '127.0.0.1',
    'pred-port': port(server.inference),
    'mgmt-port': port(server.management),
    'metric-port': port(server.metrics),
  };
  return { ...environment, values: environment.values.map((entry) => (entry.key in overrides ? { ...entry, value: overrides[entry.key] } : entry)) };
};

/** Which assertions failed, as `iteration:request:assertion`. */
const failuresOf = (summary: NewmanSummary): string[] =>
  summary.run.failures.map((failure) => `${failure.cursor.iteration}:${failure.source?.name ?? ''}:${failure.error.test ?? failure.error.message}`).sort();

describe('TorchServe Postman collections through newman', () => {
  let cleanup: () => Promise<void> = async () => {};
  let work = '';
  let server: RunningServer | undefined;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    work = temp.dir;
    const store = path.join(work, 'store');
    await mkdir(store, { recursive: true });
    // Image models (all those of the management collection): the PaddleOCR classifier with the built-in
    // image_classifier; text models: a JavaScript handler that echoes the text.
    const image = await buildArchive({
      modelName: 'image-model',
      handler: 'image_classifier',
      serializedFile: CLS_MODEL,
      configFile: path.join(EXAMPLES, 'model-config.yaml'),
      extraFiles: [path.join(EXAMPLES, 'index_to_name.json')],
      version: '1.0',
      flavour: 'node',
      exportPath: path.join(work, 'built'),
    });
    const text = await writeHandlerArchive(path.join(work, 'built'), 'text-model', HANDLERS.echo);
    const inferenceData = await readJson<{ url: string; model_name: string; file: string }[]>('inference_data.json');
    const environment = await readJson<{ values: { key: string; value: string }[] }>('environment.json');
    const localName = (item: { url: string; model_name: string }): string => {
      const variable = /^\{\{(.+)\}\}$/.exec(item.url)?.[1];
      return variable === undefined ? `${item.model_name}.mar` : (environment.values.find((entry) => entry.key === variable)?.value ?? '');
    };
    for (const name of ['squeezenet1_1', 'mnist', 'densenet161', 'resnet-152-batch', 'resnet-18']) await copyFile(image.outputPath, path.join(store, `${name}.mar`));
    for (const item of inferenceData) await copyFile(item.file.endsWith('.txt') ? text : image.outputPath, path.join(store, localName(item)));
    // The data files, at the paths the collection names relative to its working folder (work/postman).
    const sharp = (await import('sharp')).default;
    const picture = sharp({ create: { width: 224, height: 224, channels: 3, background: { r: 200, g: 120, b: 60 } } });
    const files: Record<string, Promise<Buffer> | string> = {
      'examples/image_classifier/kitten.jpg': picture.clone().jpeg().toBuffer(),
      'examples/object_detector/persons.jpg': picture.clone().jpeg().toBuffer(),
      'examples/image_segmenter/persons.jpg': picture.clone().jpeg().toBuffer(),
      'examples/image_classifier/mnist/test_data/0.png': sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer(),
      'examples/Huggingface_Transformers/sample_text.txt': 'Bloomberg has decided to publish a new report on the global economy.\n',
      'examples/text_classification/sample_text.txt': 'Bloomberg has decided to publish a new report on the global economy.\n',
    };
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(work, name)), { recursive: true });
      await writeFile(path.join(work, name), await content);
    }
    await mkdir(path.join(work, 'postman'));
    server = await startServerProcess(['--model-store', store, '--intra-op-threads', '1']);
  });

  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  it('management_api_test_collection: every assertion passes', async () => {
    const data = await readJson<Record<string, unknown>[]>('management_data.json');
    const adapted = data.map((item) =>
      item.test === 'Model Re-Registration Densenet161'
        ? { ...item, path: 'models?url={{mar_path_densenet161}}&model_name=densenet161', status_code: 409 }
        : item,
    );
    const summary = await runCollection({
      collection: await readJson('management_api_test_collection.json'),
      environment: await environmentFor(server!),
      iterationData: adapted,
    });
    expect(failuresOf(summary)).toEqual([]);
    expect(summary.run.stats.assertions.total).toBe(data.length);
  });

  it('inference_api_test_collection: every assertion passes but those comparing against PyTorch outputs', async () => {
    const data = await readJson<{ url: string; model_name: string; 'content-type'?: string }[]>('inference_data.json');
    const adapted = data.map((item) => (item.url.startsWith('http') ? { ...item, url: `${item.model_name}.mar` } : item));
    const collection = await readJson<{ item: { name: string; request: { url: unknown } }[] }>('inference_api_test_collection.json');
    for (const item of collection.item) {
      if (item.name === 'Model Zoo - Model Metrics') {
        item.request.url = { raw: '{{protocol}}://{{hostname}}:{{metric-port}}/metrics', protocol: '{{protocol}}', host: ['{{hostname}}'], port: '{{metric-port}}', path: ['metrics'] };
      }
    }
    const summary = await runCollection({
      collection,
      environment: await environmentFor(server!),
      iterationData: adapted,
      workingDir: path.join(work, 'postman'),
      insecureFileRead: true,
    });
    // The expected top-5 ImageNet classes, MNIST digits and BERT labels need TorchServe's PyTorch weights.
    const needWeights = data.flatMap((item, iteration) => {
      const type = item['content-type'];
      if (type === 'application/json') return [`${iteration}:Model Zoo - Inference Model:Test expected JSON response`];
      if (type === 'text/plain') return [`${iteration}:Model Zoo - Inference Model:Test expected TEXT response`];
      return [];
    });
    expect(failuresOf(summary)).toEqual(needWeights.sort());
    // Per model: register, predict (status), unregister, metrics; plus the output check where the data names one.
    expect(summary.run.stats.assertions.total).toBe(data.length * 4 + needWeights.length);
  }, 120_000);
});
