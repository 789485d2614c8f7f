import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, startServerProcess, tempDir, waitFor, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

describe('worker isolation', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const paths = await Promise.all(
      (['echo', 'throws', 'hangs', 'exits'] as const).map(async (name) => `${name}=${await writeHandlerArchive(temp.dir, name, HANDLERS[name])}`),
    );
    server = await startServerProcess(['--models', ...paths, '--response-timeout', '2']);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const post = (model: string, body: string): ReturnType<typeof request> =>
    request(`${server!.inference}/predictions/${model}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });

  /** Retries until the model answers 200 (its worker is back). */
  const servedAgain = (model: string, body: string): Promise<unknown> =>
    waitFor(async () => ((await post(model, body)).status === 200 ? true : undefined), 30_000);

  it('answers 503 HANDLER_FAILED when the handler throws, and keeps the worker', async () => {
    const failed = await post('throws', 'boom');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 503, errorCode: 'HANDLER_FAILED' });
    const next = await post('throws', 'fine');
    expect(next.status).toBe(200);
    expect(next.body).toBe('fine');
    const logged = await waitFor(() => server!.logs.find((line) => line.msg === 'handler error' && String(line.cause).includes('handler exploded')));
    expect(logged).toMatchObject({ model: 'throws', errorCode: 'HANDLER_FAILED' });
  });

  it('answers 408 when the handler hangs past the timeout, kills the worker and restarts it', async () => {
    const hung = await post('hangs', 'hang');
    expect(hung.status).toBe(408);
    expect(hung.body).toMatchObject({ code: 408, errorCode: 'REQUEST_TIMEOUT' });
    await servedAgain('hangs', 'quick');
    expect(server!.logs.some((line) => line.msg === 'worker died' && line.model === 'hangs' && line.reason === 'timeout')).toBe(true);
  });

  it('answers 503 WORKER_DIED when the handler exits its process, logs the cause and restarts the worker', async () => {
    const died = await post('exits', 'exit');
    expect(died.status).toBe(503);
    expect(died.body).toMatchObject({ errorCode: 'WORKER_DIED' });
    const record = await waitFor(() => server!.logs.find((line) => line.msg === 'worker died' && line.model === 'exits'));
    expect(record).toMatchObject({ exitCode: 3, reason: 'exit' });
    expect(String(record.stderr)).toContain('about to exit');
    await servedAgain('exits', 'hello');
  });

  it('keeps other models serving while a worker dies', async () => {
    const [died, ...others] = await Promise.all([post('exits', 'exit'), ...Array.from({ length: 5 }, (_, i) => post('echo', `n${i}`))]);
    expect(died?.status).toBe(503);
    for (const answer of others) expect(answer.status).toBe(200);
    await servedAgain('exits', 'hello');
  });

  it('counts worker restarts in the metrics', async () => {
    const metrics = await request(`${server!.metrics}/metrics`);
    expect(metrics.body).toMatch(/model_server_worker_restarts_total\{model="exits",reason="exit"\} [1-9]/);
    expect(metrics.body).toMatch(/model_server_worker_restarts_total\{model="hangs",reason="timeout"\} [1-9]/);
  });
});
