import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, TRUSTED_PLACEMENTS, request, startServerProcess, tempDir, writeHandlerArchive, writeOnnxArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

/** Echoes each body with its batch size; a body of "wait" holds the batch for 500 ms. */
const PAUSE_ECHO = `export async function handle(batch) {
  if (batch.some((r) => String(r.body) === 'wait')) await new Promise((r) => setTimeout(r, 500));
  return batch.map((r) => ({ echo: String(r.body), batchSize: batch.length }));
}`;

describe.each(TRUSTED_PLACEMENTS)('dynamic batching (built-ins on %s)', (placement) => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    await writeHandlerArchive(temp.dir, 'echo', PAUSE_ECHO);
    await writeHandlerArchive(temp.dir, 'slow', HANDLERS.slow);
    await writeHandlerArchive(temp.dir, 'short', HANDLERS.short);
    await writeOnnxArchive(temp.dir, 'cls');
    server = await startServerProcess(['--model-store', temp.dir, '--builtin-placement', placement]);
    const register = async (query: string): Promise<void> => {
      const response = await request(`${server!.management}/models?${query}`, { method: 'POST' });
      expect(response.status).toBe(200);
    };
    // A long delay: a busy worker gets the next batch as soon as it is full; an idle one takes what waits at once.
    await register('url=echo.mar&batch_size=4&max_batch_delay=10000&initial_workers=1');
    await register('url=slow.mar&batch_size=1&initial_workers=1&job_queue_size=2');
    await register('url=short.mar&batch_size=2&max_batch_delay=10000&initial_workers=1');
    await register('url=cls.mar&batch_size=3&max_batch_delay=10000&initial_workers=1');
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  it('sends a lone request at once when a worker is idle, without waiting max_batch_delay', async () => {
    const started = Date.now();
    const answer = await request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'alone', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ echo: 'alone', batchSize: 1 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('batches the requests that queue up while the worker is busy and routes each answer to its caller', async () => {
    // "wait" keeps the only worker busy for 500 ms; the four requests sent meanwhile then go as one full batch.
    const busy = request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'wait', headers: { 'content-type': 'text/plain' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bodies = ['a', 'b', 'c', 'd'];
    const answers = await Promise.all(
      bodies.map((body) => request(`${server!.inference}/predictions/echo`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } })),
    );
    expect((await busy).body).toMatchObject({ echo: 'wait', batchSize: 1 });
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ echo: bodies[index], batchSize: 4 });
    });
    const metrics = await request(`${server!.metrics}/metrics`);
    expect(metrics.body).toMatch(/model_server_batch_size_bucket\{le="4",model="echo"\} [1-9]/);
  });

  it('answers 503 when the queue of a model is full', async () => {
    // One request runs (1 s), two wait (the queue holds 2), the rest are refused at once.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => request(`${server!.inference}/predictions/slow`, { method: 'POST', body: '1000', headers: { 'content-type': 'text/plain' } })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const answer of refused) expect(answer.body).toMatchObject({ code: 503, errorCode: 'SERVICE_UNAVAILABLE' });
  });

  it('fails the whole batch with BATCH_SIZE_MISMATCH when a handler returns too few results', async () => {
    const answers = await Promise.all(
      ['1', '2'].map((body) => request(`${server!.inference}/predictions/short`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ errorCode: 'BATCH_SIZE_MISMATCH' });
    }
  });

  it('answers a malformed tensor with 400 without failing the other requests of its batch', async () => {
    const tensor = (data: number[]): string => JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] });
    const good = tensor(Array.from({ length: 3 * 48 * 192 }, (_, i) => (i % 5) / 5));
    const bad = tensor([1, 2, 3]);
    const answers = await Promise.all(
      [good, bad, good].map((body) => request(`${server!.inference}/v2/models/cls/infer`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 400, 200]);
    expect(answers[1]?.body).toMatchObject({ code: 400, errorCode: 'INPUT_INVALID' });
    expect(answers[0]?.body.outputs[0].shape).toEqual([1, 2]);
  });
});
