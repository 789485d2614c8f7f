import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadModel, type LoadedModel } from '@model-archiver/runtime';

import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

let area: TempArea;
let model: LoadedModel;

// Echoes what the handler sees and exercises every per-item response setting of the context.
const ECHO = `
export function handle(batch, context) {
  return batch.map((request, i) => {
    const mode = request.headers['x-mode'];
    if (mode === 'bytes') return Buffer.from([1, 2, 3]);
    if (mode === 'text') return 'plain text';
    if (mode === 'teapot') { context.setResponseStatus(418, 'teapot', i); context.setResponseHeader(i, 'X-Why', 'tea'); }
    if (mode === 'csv') { context.setResponseContentType(i, 'text/csv'); return 'a,b'; }
    if (mode === 'undefined') return undefined;
    return {
      bodyType: Buffer.isBuffer(request.body) ? 'buffer' : typeof request.body,
      body: Buffer.isBuffer(request.body) ? [...request.body] : request.body,
      contentType: request.contentType,
      header: context.getRequestHeader(i, 'X-Mode') ?? null,
      requestId: context.getRequestId(i),
      config: context.modelConfig,
    };
  });
}`;

beforeEach(async () => {
  area = await tempArea();
  const dir = await writeModelArchive(path.join(area.root, `${'echo'}.mar`), {
    handler: 'echo',
    configFile: 'model-config.yaml',
    files: { 'echo.mjs': ECHO, 'model-config.yaml': 'batchSize: 4\ncustom:\n  greeting: hi\n' },
  });
  model = await loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true });
});
afterEach(async () => {
  await model.close();
  await area.cleanup();
});

describe('requests', () => {
  it('parses JSON bodies, decodes text bodies and passes other bodies as bytes', async () => {
    const responses = await model.handle([
      { body: Buffer.from('{"a":1}'), contentType: 'application/json; charset=utf-8' },
      { body: Buffer.from('hello'), contentType: 'text/plain' },
      { body: Buffer.from([0, 255]), contentType: 'application/octet-stream' },
      { body: { already: 'parsed' }, contentType: 'application/json' },
    ]);
    expect(responses.map((r) => [(r.body as { bodyType: string }).bodyType, (r.body as { body: unknown }).body])).toEqual([
      ['object', { a: 1 }],
      ['string', 'hello'],
      ['buffer', [0, 255]],
      ['object', { already: 'parsed' }],
    ]);
  });

  it('refuses a batch with a malformed JSON body', async () => {
    await expect(model.handle([{ body: '{not json', contentType: 'application/json' }])).rejects.toMatchObject({
      code: 'INPUT_INVALID',
      details: { request: 0 },
    });
  });

  it('shows request headers case-insensitively, request ids and the parsed model config', async () => {
    const [response] = await model.handle([{ body: 'x', contentType: 'text/plain', headers: { 'X-Mode': 'look' }, requestId: 'r-1' }]);
    expect(response?.body).toMatchObject({ header: 'look', requestId: 'r-1', config: { batchSize: 4, custom: { greeting: 'hi' } } });
  });

  it('answers an empty batch with an empty list', async () => {
    await expect(model.handle([])).resolves.toEqual([]);
  });
});

describe('responses', () => {
  it('sends bytes raw, strings as UTF-8 text and everything else as JSON', async () => {
    const responses = await model.handle(
      ['bytes', 'text', 'json', 'undefined'].map((mode) => ({ body: 'x', contentType: 'text/plain', headers: { 'x-mode': mode } })),
    );
    expect(responses.map((r) => r.contentType)).toEqual([
      'application/octet-stream',
      'text/plain; charset=utf-8',
      'application/json',
      'application/json',
    ]);
    expect(responses[0]?.body).toEqual(Buffer.from([1, 2, 3]));
    expect(responses[3]?.body).toBeNull();
  });

  it('applies the per-item status, headers and content type the handler set', async () => {
    const responses = await model.handle(
      ['teapot', 'csv', 'json'].map((mode) => ({ body: 'x', contentType: 'text/plain', headers: { 'x-mode': mode } })),
    );
    expect(responses.map((r) => [r.status, r.contentType])).toEqual([
      [418, 'application/json'],
      [200, 'text/csv'],
      [200, 'application/json'],
    ]);
    expect(responses[0]?.headers).toEqual({ 'x-why': 'tea' });
    expect(responses[2]?.headers).toEqual({});
  });

  it('refuses batches after close', async () => {
    await model.close();
    await expect(model.handle([{ body: 'x' }])).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('uses a handler string given at load instead of the manifest one (the register parameter handler)', async () => {
    await model.close();
    const dir = await writeModelArchive(path.join(area.root, 'two.mar'), {
      handler: 'echo',
      files: { 'echo.mjs': ECHO, 'other.mjs': 'export function shout(batch) { return batch.map(() => "OTHER"); }' },
    });
    model = await loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true, handler: 'other:shout' });
    expect((await model.handle([{ body: 'x' }]))[0]?.body).toBe('OTHER');
    await model.close();
    await expect(loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true, handler: 'invalidHandler' })).rejects.toMatchObject({ code: expect.stringMatching(/^HANDLER_/) });
  });
});
