import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, startServerProcess, tempDir, waitFor, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

describe('management API over HTTP', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};
  let outside = '';

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const store = path.join(temp.dir, 'store');
    await writeHandlerArchive(store, 'echo', HANDLERS.echo);
    await writeHandlerArchive(store, 'second', HANDLERS.echo);
    await writeHandlerArchive(store, 'slow', HANDLERS.slow);
    await writeHandlerArchive(store, 'broken', 'export const nothing = 1;');
    outside = await writeHandlerArchive(path.join(temp.dir, 'elsewhere'), 'outside', HANDLERS.echo);
    server = await startServerProcess(['--model-store', store, '--models', 'echo.mar']);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const mgmt = (pathAndQuery: string, method = 'GET'): ReturnType<typeof request> => request(`${server!.management}${pathAndQuery}`, { method });

  it('lists the models', async () => {
    const response = await mgmt('/models');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ models: [{ modelName: 'echo', modelUrl: 'echo.mar' }] });
  });

  it('describes a model with the TorchServe fields', async () => {
    const response = await mgmt('/models/echo');
    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(1);
    expect(response.body[0]).toMatchObject({ modelName: 'echo', modelVersion: '1.0', batchSize: 1, maxBatchDelay: 100, minWorkers: 1, loadedAtStartup: true });
    expect(response.body[0].workers).toEqual([expect.objectContaining({ status: 'READY' })]);
    expect((await mgmt('/models/nope')).status).toBe(404);
  });

  it('registers a model from the model store, pages the list, and refuses a duplicate with 409', async () => {
    const created = await mgmt('/models?url=second.mar&initial_workers=1&batch_size=2&max_batch_delay=50', 'POST');
    expect(created.status).toBe(200);
    expect(created.body.status).toContain('registered with 1 initial workers');
    const described = await mgmt('/models/second');
    expect(described.body[0]).toMatchObject({ batchSize: 2, maxBatchDelay: 50, loadedAtStartup: false });
    const page = await mgmt('/models?limit=1');
    expect(page.body).toEqual({ nextPageToken: '1', models: [{ modelName: 'echo', modelUrl: 'echo.mar' }] });
    const last = await mgmt('/models?limit=1&next_page_token=1');
    expect(last.body).toEqual({ models: [{ modelName: 'second', modelUrl: 'second.mar' }] });
    const duplicate = await mgmt('/models?url=second.mar', 'POST');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ errorCode: 'MODEL_ALREADY_REGISTERED' });
  });

  it.each([
    ['../elsewhere/outside.mar', 'MODEL_URL_NOT_ALLOWED', 400],
    ['http://127.0.0.1:1/x.mar', 'MODEL_URL_NOT_ALLOWED', 400],
    ['missing.mar', 'ARCHIVE_NOT_FOUND', 404],
  ])('refuses to register %s', async (url, errorCode, status) => {
    const response = await mgmt(`/models?url=${encodeURIComponent(url)}`, 'POST');
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ errorCode });
  });

  it('refuses an absolute path outside the model store, and a missing url', async () => {
    const response = await mgmt(`/models?url=${encodeURIComponent(outside)}`, 'POST');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errorCode: 'MODEL_URL_NOT_ALLOWED' });
    const noUrl = await mgmt('/models', 'POST');
    expect(noUrl.status).toBe(400);
    expect(noUrl.body).toMatchObject({ errorCode: 'INVALID_OPTION' });
  });

  it('refuses with 500 an archive whose handler does not load, and does not list it', async () => {
    const response = await mgmt('/models?url=broken.mar&initial_workers=1', 'POST');
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ code: 500, type: 'InternalServerException', errorCode: 'HANDLER_INVALID' });
    expect((await mgmt('/models/broken')).status).toBe(404);
  });

  it('scales workers and refuses max below min', async () => {
    const scaled = await mgmt('/models/echo?min_worker=2&max_worker=2&synchronous=true', 'PUT');
    expect(scaled.status).toBe(200);
    expect(scaled.body).toEqual({ status: 'Workers scaled to 2 for model: echo' });
    expect((await mgmt('/models/echo')).body[0].workers).toHaveLength(2);
    const down = await mgmt('/models/echo?min_worker=1&max_worker=1&synchronous=true', 'PUT');
    expect(down.status).toBe(200);
    expect((await mgmt('/models/echo')).body[0].workers).toHaveLength(1);
    const bad = await mgmt('/models/echo?min_worker=3&max_worker=1', 'PUT');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorCode: 'INVALID_OPTION' });
  });

  it('registers and unregisters while another model serves, finishing in-flight requests', async () => {
    const registered = await mgmt('/models?url=slow.mar&initial_workers=1', 'POST');
    expect(registered.status).toBe(200);
    const inFlight = request(`${server!.inference}/predictions/slow`, {
      method: 'POST',
      body: '1000',
      headers: { 'content-type': 'text/plain', 'x-request-id': 'slow-in-flight' },
    });
    const serving = Promise.all(Array.from({ length: 10 }, (_, i) => request(`${server!.inference}/predictions/echo`, { method: 'POST', body: `${i}` })));
    await waitFor(() => server!.logs.find((line) => line.msg === 'sleeping slow-in-flight'));
    const removed = await mgmt('/models/slow', 'DELETE');
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ status: 'Model "slow" unregistered' });
    expect((await inFlight).status).toBe(200);
    for (const answer of await serving) expect(answer.status).toBe(200);
    const gone = await request(`${server!.inference}/predictions/slow`, { method: 'POST', body: '1' });
    expect(gone.status).toBe(404);
    expect((await mgmt('/models/slow', 'DELETE')).status).toBe(404);
  });

  it('answers wrong methods and unknown paths on the management port', async () => {
    expect((await mgmt('/models', 'DELETE')).status).toBe(405);
    expect((await mgmt('/nothing')).status).toBe(404);
  });

  it('registers without workers (503 until scaled), then serves once scaled up', async () => {
    const created = await mgmt('/models?url=second.mar&model_name=idle&initial_workers=0', 'POST');
    expect(created.status).toBe(200);
    expect(created.body.status).toContain('registered with 0 initial workers');
    const refused = await request(`${server!.inference}/predictions/idle`, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ errorCode: 'SERVICE_UNAVAILABLE' });
    expect((await mgmt('/models/idle?min_worker=1&synchronous=true', 'PUT')).status).toBe(200);
    const served = await request(`${server!.inference}/predictions/idle`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(served.status).toBe(200);
    expect((await mgmt('/models/idle', 'DELETE')).status).toBe(200);
  });

  it('registers asynchronously with 202 when synchronous=false', async () => {
    const accepted = await mgmt('/models?url=slow.mar&model_name=later&initial_workers=1&synchronous=false', 'POST');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ status: 'Processing worker updates...' });
    await waitFor(async () => ((await mgmt('/models/later')).status === 200 ? true : undefined));
    expect((await mgmt('/models/later', 'DELETE')).status).toBe(200);
  });
});
