import { connect } from 'node:net';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { request, startServerProcess, tempDir, waitFor, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

/** Handlers that misbehave on purpose. */
const FAULTS = `export function handle(batch, context) {
  return batch.map((r, i) => {
    const text = String(r.body);
    if (text === 'crlf') context.setResponseHeader(i, 'x-injected', 'a\\r\\nset-cookie: stolen=1');
    if (text === 'bad-name') context.setResponseHeader(i, 'bad name', 'x');
    if (text === 'status') context.setResponseStatus(99999, 'nope', i);
    if (text === 'fraction') context.setResponseStatus(200.5, 'nope', i);
    if (text === 'big') return Buffer.alloc(7000000, 7);
    return 'ok';
  });
}`;

/** Allocates (and keeps) the number of MiB in the body, then holds the request for a while. */
const LEAKS = `const kept = [];
export async function handle(batch) {
  const mib = Number(String(batch[0].body)) || 0;
  for (let i = 0; i < mib; i += 1) kept.push(Buffer.alloc(1024 * 1024, 1));
  if (mib > 0) await new Promise((resolve) => setTimeout(resolve, 10000));
  return batch.map(() => ({ kept: kept.length }));
}`;

/** Sends raw bytes and resolves with the raw answer once the server closes the connection. */
const rawExchange = (port: number, bytes: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });

const parseAnswer = (raw: string): { status: number; headers: string; body: Record<string, unknown> } => {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split);
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(raw.slice(split + 4)) as Record<string, unknown> };
};

describe('server limits', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};
  let port = 0;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const store = path.join(temp.dir, 'store');
    await writeHandlerArchive(store, 'faults', FAULTS);
    await writeHandlerArchive(store, 'leaks', LEAKS);
    // Default limits only (6,553,500-byte answers, 8 KiB URLs, 16 KiB heads).
    server = await startServerProcess(['--model-store', store, '--models', 'faults.mar']);
    port = Number(new URL(server.inference).port);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  it('a 100 KB query string gets a JSON 414 URI_TOO_LONG, not a reset connection', async () => {
    const answer = parseAnswer(await rawExchange(port, `GET /ping?q=${'a'.repeat(100_000)} HTTP/1.1\r\nhost: x\r\n\r\n`));
    expect(answer.headers).toContain('content-type: application/json');
    // Node's parser reports both as a head overflow; the server tells them apart from the chunk it was parsing, which
    // on loopback starts with the request line. Either answer is a coded JSON error.
    expect([414, 431]).toContain(answer.status);
    expect(answer.body).toMatchObject({ code: answer.status, errorCode: answer.status === 414 ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE' });
    // 20 KB (over the 16 KiB head limit) arrives in one loopback segment: the request line is in view.
    const single = parseAnswer(await rawExchange(port, `GET /ping?q=${'a'.repeat(20_000)} HTTP/1.1\r\nhost: x\r\n\r\n`));
    expect(single.body).toMatchObject({ code: 414, type: 'UriTooLongException', errorCode: 'URI_TOO_LONG' });
  });

  it('a URL over the limit that fits in the head limit also gets 414 (through the routes)', async () => {
    const response = await request(`${server!.inference}/ping?q=${'a'.repeat(9000)}`);
    expect(response.status).toBe(414);
    expect(response.body).toMatchObject({ code: 414, errorCode: 'URI_TOO_LONG' });
  });

  it('oversized headers get a JSON 431 HEADERS_TOO_LARGE on every port', async () => {
    for (const url of [server!.inference, server!.management, server!.metrics]) {
      const answer = parseAnswer(await rawExchange(Number(new URL(url).port), `GET /ping HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(40_000)}\r\n\r\n`));
      expect(answer.status).toBe(431);
      expect(answer.body).toMatchObject({ code: 431, type: 'RequestHeaderFieldsTooLargeException', errorCode: 'HEADERS_TOO_LARGE' });
    }
  });

  it('a request that is not HTTP gets a JSON 400', async () => {
    const answer = parseAnswer(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 400, errorCode: 'INPUT_INVALID' });
  });

  it('counts the requests refused before routing in the metrics', async () => {
    const metrics = String((await request(`${server!.metrics}/metrics`)).body);
    expect(metrics).toMatch(/model_server_requests_total\{api="inference",model="",status="431"\} [1-9]/);
    expect(metrics).toMatch(/model_server_requests_total\{api="management",model="",status="431"\} 1/);
  });

  it('refuses a 5,000-character model_name with MODEL_NAME_INVALID (core rule) before loading anything', async () => {
    for (const name of ['m'.repeat(5000), 'a..b', 'bad/name', 'trailing.']) {
      const response = await request(`${server!.management}/models?url=faults.mar&model_name=${encodeURIComponent(name)}`, { method: 'POST' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 400, type: 'BadRequestException', errorCode: 'MODEL_NAME_INVALID' });
      expect(response.raw.length).toBeLessThan(1000);
    }
    const longest = await request(`${server!.management}/models?url=faults.mar&model_name=${'m'.repeat(248)}`, { method: 'POST' });
    expect(longest.status).toBe(200);
  });

  it.each([
    ['crlf', 'HANDLER_RESPONSE_INVALID'],
    ['bad-name', 'HANDLER_RESPONSE_INVALID'],
    ['status', 'HANDLER_RESPONSE_INVALID'],
    ['fraction', 'HANDLER_RESPONSE_INVALID'],
    ['big', 'RESPONSE_TOO_LARGE'],
  ])('a handler answer with %s gets 500 %s, and the worker keeps serving', async (body, errorCode) => {
    const response = await request(`${server!.inference}/predictions/faults`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ code: 500, type: 'InternalServerException', errorCode });
    expect(response.headers.get('x-injected')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
    const next = await request(`${server!.inference}/predictions/faults`, { method: 'POST', body: 'fine', headers: { 'content-type': 'text/plain' } });
    expect(next.status).toBe(200);
  });

  it('recycles a worker over its memory_limit: its request gets 507, the cause is logged and counted, the model serves again', async () => {
    const registered = await request(`${server!.management}/models?url=leaks.mar&memory_limit=300&initial_workers=1`, { method: 'POST' });
    expect(registered.status).toBe(200);
    const started = Date.now();
    const leaking = await request(`${server!.inference}/predictions/leaks`, { method: 'POST', body: '400', headers: { 'content-type': 'text/plain' } });
    expect(leaking.status).toBe(507);
    expect(leaking.body).toMatchObject({ code: 507, type: 'WorkerMemoryLimitException', errorCode: 'WORKER_MEMORY_LIMIT' });
    // Checked every second: well before the handler's 10 s hold ends.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(server!.logs.find((record) => record.msg === 'worker recycled: over its memory limit')).toMatchObject({ model: 'leaks', memoryLimitMiB: 300 });
    const metrics = String((await request(`${server!.metrics}/metrics`)).body);
    expect(metrics).toContain('model_server_worker_restarts_total{model="leaks",reason="memory"} 1');
    const again = await waitFor(async () => {
      const response = await request(`${server!.inference}/predictions/leaks`, { method: 'POST', body: '0', headers: { 'content-type': 'text/plain' } });
      return response.status === 200 ? response : undefined;
    });
    expect(again.body).toEqual({ kept: 0 });
  });
});
