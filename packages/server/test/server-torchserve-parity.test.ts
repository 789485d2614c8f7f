import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, startServerProcess, tempDir, waitFor, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

const versionHandler = (version: string): string => `export function handle(batch) { return batch.map(() => ({ version: '${version}' })); }`;

// TorchServe's statuses and defaults (frontend ManagementRequestHandler, ApiUtils, RegisterModelRequest), each with
// our stable error code.
describe('TorchServe management parity', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const store = path.join(temp.dir, 'store');
    await writeHandlerArchive(store, 'echo', HANDLERS.echo);
    await writeHandlerArchive(store, 'slow', HANDLERS.slow);
    await writeHandlerArchive(path.join(temp.dir, 'v1'), 'multi', versionHandler('1.0'), '1.0');
    await writeHandlerArchive(path.join(temp.dir, 'v2'), 'multi', versionHandler('2.0'), '2.0');
    const { rename } = await import('node:fs/promises');
    await rename(path.join(temp.dir, 'v1', 'multi.mar'), path.join(store, 'multi-1.mar'));
    await rename(path.join(temp.dir, 'v2', 'multi.mar'), path.join(store, 'multi-2.mar'));
    server = await startServerProcess(['--model-store', store, '--models', 'echo.mar']);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const mgmt = (pathAndQuery: string, method = 'GET'): ReturnType<typeof request> => request(`${server!.management}${pathAndQuery}`, { method });
  const predict = (model: string): ReturnType<typeof request> => request(`${server!.inference}/predictions/${model}`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });

  it('registers with 0 workers by default, and falls back on non-integer parameters', async () => {
    const created = await mgmt('/models?url=echo.mar&model_name=lazy&batch_size=dd&max_batch_delay=junk', 'POST');
    expect(created.status).toBe(200);
    expect(created.body.status).toContain('registered with 0 initial workers');
    expect((await mgmt('/models/lazy')).body[0]).toMatchObject({ batchSize: 1, maxBatchDelay: 100, minWorkers: 0, workers: [] });
    const negative = await mgmt('/models?url=echo.mar&model_name=negative&initial_workers=-1', 'POST');
    expect(negative.status).toBe(200);
    expect((await mgmt('/models/negative')).body[0].workers).toEqual([]);
    expect((await mgmt('/models/lazy', 'DELETE')).status).toBe(200);
    expect((await mgmt('/models/negative', 'DELETE')).status).toBe(200);
  });

  it('lists an asynchronous registration at once, with its workers starting', async () => {
    const accepted = await mgmt('/models?url=slow.mar&model_name=async&initial_workers=1&synchronous=false', 'POST');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ status: 'Processing worker updates...' });
    const listed = await mgmt('/models/async');
    expect(listed.status).toBe(200);
    expect(listed.body[0].workers).toHaveLength(1);
    await waitFor(async () => ((await mgmt('/models/async')).body[0].workers[0].status === 'READY' ? true : undefined));
    expect((await mgmt('/models/async', 'DELETE')).status).toBe(200);
  });

  it('scales asynchronously (202) unless synchronous=true, with TorchServe defaults and statuses', async () => {
    const scaled = await mgmt('/models/echo?min_worker=2', 'PUT');
    expect(scaled.status).toBe(202);
    await waitFor(async () => ((await mgmt('/models/echo')).body[0].workers.filter((w: { status: string }) => w.status === 'READY').length === 2 ? true : undefined));
    // No min_worker: TorchServe's default of 1.
    expect((await mgmt('/models/echo?synchronous=true', 'PUT')).body).toEqual({ status: 'Workers scaled to 1 for model: echo' });
    expect((await mgmt('/models/echo')).body[0].workers).toHaveLength(1);
    const negative = await mgmt('/models/echo?min_worker=-1', 'PUT');
    expect(negative.status).toBe(500);
    expect(negative.body).toMatchObject({ code: 500, errorCode: 'WORKER_COUNT_INVALID' });
    const below = await mgmt('/models/echo?max_worker=-1', 'PUT');
    expect(below.status).toBe(400);
    expect(below.body).toMatchObject({ errorCode: 'INVALID_OPTION' });
    expect((await mgmt('/models/echo/9.9?min_worker=1', 'PUT')).status).toBe(404);
  });

  it('refuses an unknown runtime, accepts a handler override and fails its workers with 500', async () => {
    const runtime = await mgmt('/models?url=echo.mar&model_name=py4&runtime=python4', 'POST');
    expect(runtime.status).toBe(400);
    expect(runtime.body).toMatchObject({ errorCode: 'INVALID_OPTION' });
    const registered = await mgmt('/models?url=echo.mar&model_name=badhandler&handler=invalidHandler', 'POST');
    expect(registered.status).toBe(200);
    const scaled = await mgmt('/models/badhandler?min_worker=1&synchronous=true', 'PUT');
    expect(scaled.status).toBe(500);
    expect(scaled.body.errorCode).toMatch(/^HANDLER_/);
    expect((await mgmt('/models/badhandler', 'DELETE')).status).toBe(200);
    const timedOut = await mgmt('/models?url=echo.mar&model_name=zero&initial_workers=1&startup_timeout=0', 'POST');
    expect(timedOut.status).toBe(500);
    expect(timedOut.body).toMatchObject({ errorCode: 'MODEL_LOAD_FAILED' });
    expect((await mgmt('/models/zero')).status).toBe(404);
  });

  it('answers an empty url with 404 and a missing one with 400', async () => {
    expect((await mgmt('/models?url=&model_name=x', 'POST')).body).toMatchObject({ code: 404, errorCode: 'ARCHIVE_NOT_FOUND' });
    expect((await mgmt('/models?model_name=x', 'POST')).body).toMatchObject({ code: 400, errorCode: 'INVALID_OPTION' });
  });

  it('serves model versions and switches the default with set-default', async () => {
    expect((await mgmt('/models?url=multi-1.mar&initial_workers=1', 'POST')).status).toBe(200);
    expect((await mgmt('/models?url=multi-2.mar&initial_workers=1', 'POST')).status).toBe(200);
    expect((await mgmt('/models/multi/all')).body.map((m: { modelVersion: string }) => m.modelVersion)).toEqual(['1.0', '2.0']);
    expect((await predict('multi')).body).toEqual({ version: '1.0' });
    expect((await predict('multi/2.0')).body).toEqual({ version: '2.0' });
    const switched = await mgmt('/models/multi/2.0/set-default', 'PUT');
    expect(switched.body).toEqual({ status: 'Default version successfully updated for model "multi" to "2.0"' });
    expect((await predict('multi')).body).toEqual({ version: '2.0' });
    expect((await mgmt('/models/multi')).body[0].modelVersion).toBe('2.0');
    expect((await mgmt('/models/multi/3.0/set-default', 'PUT')).body).toMatchObject({ code: 404, errorCode: 'MODEL_NOT_FOUND' });
    expect((await mgmt('/models/nothing/1.0/set-default', 'PUT')).body).toMatchObject({ code: 404, errorCode: 'MODEL_NOT_FOUND' });
    // As in TorchServe: DELETE without a version removes the default one, refused (403) while others remain.
    const refused = await mgmt('/models/multi', 'DELETE');
    expect(refused.body).toMatchObject({ code: 403, errorCode: 'DEFAULT_VERSION_IN_USE' });
    expect((await mgmt('/models/multi/1.0', 'DELETE')).body).toEqual({ status: 'Model "multi" unregistered' });
    expect((await mgmt('/models/multi/all')).body.map((m: { modelVersion: string }) => m.modelVersion)).toEqual(['2.0']);
    expect((await mgmt('/models/multi', 'DELETE')).status).toBe(200);
    expect((await mgmt('/models/multi')).status).toBe(404);
  });

  it('describes both APIs with OpenAPI documents (OPTIONS /, /api-description, a model path)', async () => {
    for (const base of [server!.inference, server!.management]) {
      const described = await request(`${base}/`, { method: 'OPTIONS' });
      expect(described.status).toBe(200);
      expect(described.body).toMatchObject({ openapi: '3.0.1', info: { title: 'TorchServe APIs' } });
      expect((await request(`${base}/api-description`)).body.paths).toEqual(described.body.paths);
    }
    const management = await request(`${server!.management}/`, { method: 'OPTIONS' });
    expect(Object.keys(management.body.paths)).toEqual(expect.arrayContaining(['/models', '/models/{model_name}/{model_version}/set-default']));
    const inference = await request(`${server!.inference}/`, { method: 'OPTIONS' });
    expect(Object.keys(inference.body.paths)).toEqual(expect.arrayContaining(['/ping', '/predictions/{model_name}']));
    expect((await request(`${server!.inference}/predictions/echo`, { method: 'OPTIONS' })).body.info.title).toBe('RESTful API for: echo');
    expect((await request(`${server!.management}/models/echo`, { method: 'OPTIONS' })).body.info.title).toBe('RESTful Management API for: echo');
    expect((await request(`${server!.management}/models/nothing`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it("exposes TorchServe's metric names and labels in its Prometheus format", async () => {
    expect((await predict('echo')).status).toBe(200);
    const text = (await request(`${server!.metrics}/metrics`)).body as string;
    expect(text).toMatch(/^Requests2XX\{Level="Host",Hostname="[^"]+",\} \d+\.\d+$/m);
    expect(text).toMatch(/^ts_inference_requests_total\{model_name="echo",model_version="1\.0",hostname="[^"]+",\} [1-9]\d*\.\d+$/m);
    expect(text).toMatch(/^ts_inference_latency_microseconds\{model_name="echo",model_version="1\.0",hostname="[^"]+",\} \d+\.\d+$/m);
    expect(text).toMatch(/^ts_queue_latency_microseconds\{model_name="echo",model_version="1\.0",hostname="[^"]+",\} \d+\.\d+$/m);
    expect(text).toMatch(/^WorkerLoadTime\{WorkerName="W-\d+-echo_1\.0",Level="Host",Hostname="[^"]+",\} \d+\.\d+$/m);
    // Per model: the batch's round trip, and the handler's own time as its worker measured it.
    expect(text).toMatch(/^PredictionTime\{ModelName="echo",Level="Model",Hostname="[^"]+",\} \d+\.\d+$/m);
    expect(Number(/^HandlerTime\{ModelName="echo",Level="Model",Hostname="[^"]+",\} (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    for (const gauge of ['QueueTime', 'WorkerThreadTime', 'CPUUtilization', 'MemoryUsed', 'MemoryAvailable', 'MemoryUtilization', 'DiskUsage', 'DiskAvailable', 'DiskUtilization']) {
      expect(text).toMatch(new RegExp(`^${gauge}\\{Level="Host",Hostname="[^"]+",\\} \\d+(\\.\\d+)?(e[+-]?\\d+)?$`, 'm'));
    }
    expect(text).toContain('model_server_requests_total');
    const filtered = (await request(`${server!.metrics}/metrics?name[]=ts_inference_requests_total`)).body as string;
    expect(filtered).toContain('ts_inference_requests_total{');
    expect(filtered).not.toContain('Requests2XX');
    expect(filtered).not.toContain('model_server_requests_total');
  });
});
