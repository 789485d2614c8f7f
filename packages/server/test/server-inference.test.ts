import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, TRUSTED_PLACEMENTS, request, startServerProcess, tempDir, waitFor, writeHandlerArchive, writeOnnxArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

describe.each(TRUSTED_PLACEMENTS)('inference API over HTTP (built-ins on %s)', (placement) => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const echo = await writeHandlerArchive(temp.dir, 'echo', HANDLERS.echo);
    const shapes = await writeHandlerArchive(temp.dir, 'shapes', HANDLERS.shapes, '2.0');
    const cls = await writeOnnxArchive(temp.dir, 'cls');
    server = await startServerProcess(['--models', `echo=${echo}`, `shapes=${shapes}`, `cls=${cls}`, '--max-request-size', '1000000', '--builtin-placement', placement]);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const url = (path: string): string => `${server!.inference}${path}`;

  it('answers /ping with Healthy', async () => {
    const response = await request(url('/ping'));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'Healthy' });
  });

  it('passes a raw JSON body to the handler and sends its result as application/json', async () => {
    const response = await request(url('/predictions/echo'), { method: 'POST', body: '{"x":[1,2]}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.body).toMatchObject({ echo: { x: [1, 2] }, batchSize: 1 });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('accepts PUT as curl -T sends it', async () => {
    const response = await request(url('/predictions/echo'), { method: 'PUT', body: Buffer.from([7, 8]), headers: { 'content-type': 'application/octet-stream' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ echo: { type: 'Buffer', data: [7, 8] } });
  });

  it('echoes a valid X-Request-Id', async () => {
    const response = await request(url('/predictions/echo'), { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain', 'x-request-id': 'my-id-1' } });
    expect(response.headers.get('x-request-id')).toBe('my-id-1');
    expect(response.body).toMatchObject({ echo: 'hi' });
  });

  it('passes multipart form fields, the data field as the body', async () => {
    const form = new FormData();
    form.append('data', new Blob([Buffer.from('payload')], { type: 'text/plain' }), 'a.txt');
    form.append('threshold', '0.5');
    const response = await request(url('/predictions/echo'), { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ echo: 'payload', parameters: { threshold: '0.5' } });
  });

  it('sends bytes raw, text as text, and a status the handler set', async () => {
    const bytes = await request(url('/predictions/shapes'), { method: 'POST', body: 'bytes' });
    expect(bytes.status).toBe(200);
    expect([...bytes.raw]).toEqual([1, 2, 3]);
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    const text = await request(url('/predictions/shapes'), { method: 'POST', body: 'text' });
    expect(text.body).toBe('plain text');
    const teapot = await request(url('/predictions/shapes'), { method: 'POST', body: 'teapot' });
    expect(teapot.status).toBe(418);
  });

  it('routes a request to a named version and 404s an unknown version', async () => {
    const found = await request(url('/predictions/shapes/2.0'), { method: 'POST', body: 'text' });
    expect(found.status).toBe(200);
    const missing = await request(url('/predictions/shapes/9.9'), { method: 'POST', body: 'text' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 404, type: 'ModelNotFoundException', errorCode: 'MODEL_NOT_FOUND' });
  });

  it('answers an unknown model with 404 ModelNotFoundException', async () => {
    const response = await request(url('/predictions/nope'), { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 404, type: 'ModelNotFoundException', errorCode: 'MODEL_NOT_FOUND' });
  });

  it('answers an unknown path with 404 and a wrong method with 405', async () => {
    const route = await request(url('/nowhere'));
    expect(route.status).toBe(404);
    expect(route.body).toMatchObject({ errorCode: 'ROUTE_NOT_FOUND', type: 'ResourceNotFoundException' });
    const method = await request(url('/predictions/echo'), { method: 'GET' });
    expect(method.status).toBe(405);
    expect(method.body).toMatchObject({ errorCode: 'METHOD_NOT_ALLOWED' });
    expect(method.headers.get('allow')).toContain('POST');
  });

  it('answers odd request targets and undecodable names with 404 and keeps serving', async () => {
    const raw = (target: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(new URL(server!.inference).port), '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      });
    expect(await raw('//ping')).toMatch(/^HTTP\/1\.1 404/);
    expect(await raw('http://other/ping')).toMatch(/^HTTP\/1\.1 404/);
    expect(await raw('/v2/models/%E0%A4%A')).toMatch(/^HTTP\/1\.1 404/);
    expect((await request(url('/ping'))).status).toBe(200);
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await request(url('/predictions/echo'), { method: 'POST', body: Buffer.alloc(2_000_000, 1) });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ errorCode: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses malformed JSON with 400 INPUT_INVALID', async () => {
    const response = await request(url('/predictions/echo'), { method: 'POST', body: '{"x":', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 400, errorCode: 'INPUT_INVALID' });
  });

  it('serves the Open Inference Protocol health routes and server metadata', async () => {
    expect((await request(url('/v2/health/live'))).body).toEqual({ live: true });
    const ready = await request(url('/v2/health/ready'));
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ ready: true });
    expect((await request(url('/v2/models/cls/ready'))).body).toEqual({ name: 'cls', ready: true });
    expect((await request(url('/v2'))).body).toMatchObject({ name: 'model-server' });
  });

  it('describes the model tensors from the ONNX graph', async () => {
    const response = await request(url('/v2/models/cls'));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'cls', versions: ['1.0'] });
    expect(response.body.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }]);
    expect(response.body.outputs).toEqual([expect.objectContaining({ name: 'softmax_0.tmp_0', datatype: 'FP32' })]);
  });

  it('runs v2 inference on the ONNX model and wraps the outputs', async () => {
    const data = Array.from({ length: 3 * 48 * 192 }, (_, i) => (i % 7) / 7);
    const body = JSON.stringify({ id: 'req-7', inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] });
    const response = await request(url('/v2/models/cls/infer'), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'req-7', model_name: 'cls', model_version: '1.0' });
    const [output] = response.body.outputs as { name: string; shape: number[]; data: number[] }[];
    expect(output?.name).toBe('softmax_0.tmp_0');
    expect(output?.shape).toEqual([1, 2]);
    expect((output?.data[0] ?? 0) + (output?.data[1] ?? 0)).toBeCloseTo(1, 3);
  });

  it('refuses malformed v2 requests with 400', async () => {
    const notJson = await request(url('/v2/models/cls/infer'), { method: 'POST', body: 'nope', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ errorCode: 'INPUT_INVALID', error: expect.any(String) });
    const noInputs = await request(url('/v2/models/cls/infer'), { method: 'POST', body: '{"id":"x"}' });
    expect(noInputs.status).toBe(400);
    const badShape = await request(url('/v2/models/cls/infer'), {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: [1, 2, 3] }] }),
    });
    expect(badShape.status).toBe(400);
    expect(badShape.body).toMatchObject({ errorCode: 'INPUT_INVALID' });
  });

  it('logs each request with its id and error code', async () => {
    await request(url('/predictions/nope'), { method: 'POST', body: 'x', headers: { 'x-request-id': 'trace-404' } });
    const record = await waitFor(() => server!.logs.find((line) => line.requestId === 'trace-404' && line.msg === 'request'));
    expect(record).toMatchObject({ status: 404, errorCode: 'MODEL_NOT_FOUND', level: 'info' });
  });

  it('exposes request metrics in Prometheus text format', async () => {
    const response = await request(`${server!.metrics}/metrics`);
    expect(response.status).toBe(200);
    expect(response.body).toContain('model_server_requests_total{api="inference",model="echo",status="200"}');
    expect(response.body).toContain('model_server_request_duration_seconds_bucket');
    expect(response.body).toContain('model_server_batch_size_bucket');
    expect(response.body).toContain('model_server_queue_depth');
  });
});
