import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, startServerProcess, tempDir, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

/**
 * Model API control (TorchServe 0.11+, docs/server.md "Model API control"): by default a running server registers and
 * unregisters nothing; the requests that would get 405 `METHOD_NOT_ALLOWED`, and every other management call works.
 */
describe('model API control off (the default)', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const store = path.join(temp.dir, 'store');
    await writeHandlerArchive(store, 'echo', HANDLERS.echo);
    await writeHandlerArchive(store, 'second', HANDLERS.echo);
    server = await startServerProcess(['--model-store', store, '--models', 'echo.mar'], 60_000, false, { modelApi: false });
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const models = async (): Promise<string[]> =>
    ((await request(`${server!.management}/models`)).body.models as { modelName: string }[]).map((model) => model.modelName);

  it('says so in its start record', () => {
    expect(server!.logs.find((record) => record.msg === 'model server started')).toMatchObject({ modelApi: false, models: ['echo'] });
  });

  it('refuses to register with 405 METHOD_NOT_ALLOWED, as TorchServe does, and registers nothing', async () => {
    const answer = await request(`${server!.management}/models?url=second.mar&initial_workers=1`, { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.body).toMatchObject({ code: 405, type: 'MethodNotAllowedException', errorCode: 'METHOD_NOT_ALLOWED' });
    expect(answer.headers.get('allow')).toBe('GET');
    expect(await models()).toEqual(['echo']);
  });

  it('refuses to unregister with 405, with or without a version, and the model keeps serving', async () => {
    for (const target of ['/models/echo', '/models/echo/1.0']) {
      const answer = await request(`${server!.management}${target}`, { method: 'DELETE' });
      expect(answer.status).toBe(405);
      expect(answer.body.errorCode).toBe('METHOD_NOT_ALLOWED');
      expect(answer.headers.get('allow')).toBe('GET, PUT, OPTIONS');
    }
    expect(await models()).toEqual(['echo']);
    const predicted = await request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'still here', headers: { 'content-type': 'text/plain' } });
    expect(predicted.status).toBe(200);
    expect(predicted.body.echo).toBe('still here');
  });

  it("refuses the Open Inference Protocol repository's load and unload with 405; the index still answers", async () => {
    for (const action of ['load', 'unload']) {
      const answer = await request(`${server!.inference}/v2/repository/models/second/${action}`, { method: 'POST' });
      expect(answer.status).toBe(405);
      expect(answer.body).toMatchObject({ errorCode: 'METHOD_NOT_ALLOWED', error: expect.any(String) });
    }
    const index = await request(`${server!.inference}/v2/repository/index`, { method: 'POST' });
    expect(index.status).toBe(200);
    expect(index.body.map((entry: { name: string }) => entry.name)).toEqual(['echo', 'second']);
    expect(await models()).toEqual(['echo']);
  });

  it('still lists, describes, scales and sets the default version', async () => {
    expect((await request(`${server!.management}/models/echo`)).status).toBe(200);
    expect((await request(`${server!.management}/models/echo?min_worker=2&synchronous=true`, { method: 'PUT' })).status).toBe(200);
    expect((await request(`${server!.management}/models/echo/1.0/set-default`, { method: 'PUT' })).status).toBe(200);
  });
});
