import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLS_MODEL, TRUSTED_PLACEMENTS, request, startServerProcess, tempDir, writeOnnxArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/tritonclient/', import.meta.url));
const OUTPUT = 'softmax_0.tmp_0';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends raw request bytes over one connection and reads one response (Content-Length framed). */
const replay = (port: number, bytes: Buffer): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length']);
      if (buffer.length - end - 4 < length) return;
      socket.destroy();
      resolve({ status: Number(lines[0]?.split(' ')[1]), headers, body: buffer.subarray(end + 4, end + 4 + length) });
    });
    socket.on('error', reject);
    socket.write(bytes);
  });

/** Decodes a response as tritonclient's InferResult does: JSON header, then each binary output's bytes in order. */
const decodeAsTritonclient = (response: RawResponse): { result: Record<string, any>; asArray: (name: string) => number[] } => {
  const headerLength = response.headers['inference-header-content-length'];
  if (headerLength === undefined) {
    const result = JSON.parse(response.body.toString('utf8'));
    return { result, asArray: (name) => result.outputs.find((o: { name: string }) => o.name === name).data };
  }
  const length = Number(headerLength);
  const result = JSON.parse(response.body.subarray(0, length).toString('utf8'));
  const buffer = response.body.subarray(length);
  const offsets = new Map<string, number>();
  let index = 0;
  for (const output of result.outputs) {
    const size = output.parameters?.binary_data_size;
    if (size !== undefined) {
      offsets.set(output.name, index);
      index += size;
    }
  }
  return {
    result,
    asArray: (name) => {
      const output = result.outputs.find((o: { name: string }) => o.name === name);
      const size = output.parameters?.binary_data_size;
      if (size === undefined) return output.data;
      expect(output.datatype).toBe('FP32');
      const start = offsets.get(name) as number;
      const copy = Uint8Array.prototype.slice.call(buffer, start, start + size);
      return Array.from(new Float32Array(copy.buffer));
    },
  };
};

describe.each(TRUSTED_PLACEMENTS)('Open Inference Protocol extensions: binary tensor data (tritonclient wire format) and model repository (built-ins on %s)', (placement) => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};
  let port = 0;
  const url = (path: string): string => `${server!.inference}${path}`;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const cls = await writeOnnxArchive(temp.dir, 'cls');
    await writeOnnxArchive(temp.dir, 'spare');
    server = await startServerProcess(['--model-store', temp.dir, '--models', `cls=${cls}`, '--builtin-placement', placement]);
    port = Number(new URL(server.inference).port);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  it('lists the extensions in GET /v2', async () => {
    const response = await request(url('/v2'));
    expect(response.status).toBe(200);
    expect(response.body.extensions).toEqual(expect.arrayContaining(['binary_tensor_data', 'model_repository']));
  });

  for (const name of ['binary-in-binary-out', 'binary-in-json-out', 'json-in-binary-out', 'gzip-binary-in-binary-out']) {
    it(`answers tritonclient's ${name} request with the model's tensors`, async () => {
      const spec = JSON.parse(await readFile(`${FIXTURES}${name}.json`, 'utf8')) as { input: { shape: number[] }; binaryOutput: boolean; id: string | null };
      const count = spec.input.shape.reduce((a, b) => a * b, 1);
      const input = Float32Array.from({ length: count }, (_, i) => Math.fround(Math.sin(i * 0.37) * 0.9));
      const session = await ort.InferenceSession.create(CLS_MODEL);
      const expected = Array.from((await session.run({ x: new ort.Tensor('float32', input, spec.input.shape) }))[OUTPUT]!.data as Float32Array);
      await session.release();

      const response = await replay(port, await readFile(`${FIXTURES}${name}.http`));
      expect(response.status).toBe(200);
      if (spec.binaryOutput) {
        expect(response.headers['content-type']).toBe('application/octet-stream');
        expect(response.headers['inference-header-content-length']).toMatch(/^\d+$/);
      } else {
        expect(response.headers['inference-header-content-length']).toBeUndefined();
      }
      const { result, asArray } = decodeAsTritonclient(response);
      expect(result.model_name).toBe('cls');
      if (spec.id !== null) expect(result.id).toBe(spec.id);
      const output = result.outputs.find((o: { name: string }) => o.name === OUTPUT);
      expect(output).toMatchObject({ datatype: 'FP32', shape: [1, 2] });
      const got = asArray(OUTPUT);
      expect(got).toHaveLength(expected.length);
      got.forEach((value, i) => expect(value).toBeCloseTo(expected[i] as number, 5));
    });
  }

  it('refuses binary data that does not match its header with 400 INPUT_INVALID and an "error" field', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 32], datatype: 'FP32', parameters: { binary_data_size: 18432 } }] }));
    const short = await request(url('/v2/models/cls/infer'), {
      method: 'POST',
      body: Buffer.concat([header, Buffer.alloc(100)]),
      headers: { 'inference-header-content-length': String(header.length), 'content-type': 'application/octet-stream' },
    });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ errorCode: 'INPUT_INVALID' });
    expect(typeof short.body.error).toBe('string');
    const tooLong = await request(url('/v2/models/cls/infer'), {
      method: 'POST',
      body: header,
      headers: { 'inference-header-content-length': String(header.length + 10) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errorCode).toBe('INPUT_INVALID');
    const wrongType = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 32], datatype: 'INT32', parameters: { binary_data_size: 18432 } }] }));
    const mismatch = await request(url('/v2/models/cls/infer'), {
      method: 'POST',
      body: Buffer.concat([wrongType, Buffer.alloc(18432)]),
      headers: { 'inference-header-content-length': String(wrongType.length) },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errorCode).toBe('INPUT_INVALID');
  });

  it('indexes the model store, loads and unloads a model through the repository extension', async () => {
    const index = await request(url('/v2/repository/index'), { method: 'POST', body: '{}' });
    expect(index.status).toBe(200);
    expect(index.body).toEqual([
      { name: 'cls', version: '1.0', state: 'READY', reason: '' },
      { name: 'spare', state: 'UNAVAILABLE', reason: 'unloaded' },
    ]);
    const readyOnly = await request(url('/v2/repository/index'), { method: 'POST', body: '{"ready": true}' });
    expect(readyOnly.body.map((row: { name: string }) => row.name)).toEqual(['cls']);

    expect((await request(url('/v2/models/spare/ready'))).status).toBe(404);
    const load = await request(url('/v2/repository/models/spare/load'), { method: 'POST' });
    expect(load.status).toBe(200);
    expect((await request(url('/v2/models/spare/ready'))).body).toEqual({ name: 'spare', ready: true });
    const again = await request(url('/v2/repository/models/spare/load'), { method: 'POST', body: '{}' });
    expect(again.status).toBe(200);

    const unload = await request(url('/v2/repository/models/spare/unload'), { method: 'POST' });
    expect(unload.status).toBe(200);
    expect((await request(url('/v2/models/spare/ready'))).status).toBe(404);

    const missing = await request(url('/v2/repository/models/nothere/load'), { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ errorCode: 'ARCHIVE_NOT_FOUND' });
    const notLoaded = await request(url('/v2/repository/models/spare/unload'), { method: 'POST' });
    expect(notLoaded.status).toBe(404);
    expect(notLoaded.body).toMatchObject({ errorCode: 'MODEL_NOT_FOUND' });
    const badConfig = await request(url('/v2/repository/models/spare/load'), { method: 'POST', body: '{"parameters": {"config": "{}"}}' });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body).toMatchObject({ errorCode: 'INVALID_OPTION' });
  });

  it('a model kept at no worker is not ready itself, and does not hold the server back', async () => {
    const registered = await request(`${server!.management}/models?url=spare.mar&model_name=idle&initial_workers=0`, { method: 'POST' });
    expect(registered.status).toBe(200);
    try {
      const ready = await request(url('/v2/models/idle/ready'));
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({ name: 'idle', ready: false });
      const index = await request(url('/v2/repository/index'), { method: 'POST', body: '{}' });
      expect(index.body).toContainEqual({ name: 'idle', version: '1.0', state: 'UNAVAILABLE', reason: 'no worker is ready' });
      expect((await request(url('/v2/health/ready'))).body).toEqual({ ready: true });
      expect((await request(url('/ping'))).status).toBe(200);
    } finally {
      await request(`${server!.management}/models/idle`, { method: 'DELETE' });
    }
  });
});

describe('model repository extension with token authorization', () => {
  it('needs the management key, not the inference key', async () => {
    const temp = await tempDir();
    const server = await startServerProcess(['--model-store', temp.dir], 60_000, false, { tokenAuth: true, cwd: temp.dir });
    try {
      await writeOnnxArchive(temp.dir, 'spare');
      const keys = JSON.parse(await readFile(path.join(temp.dir, 'key_file.json'), 'utf8')) as { management: { key: string }; inference: { key: string } };
      const load = (key: string): ReturnType<typeof request> =>
        request(`${server.inference}/v2/repository/models/spare/load`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      const refused = await load(keys.inference.key);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ errorCode: 'TOKEN_INVALID' });
      expect((await load(keys.management.key)).status).toBe(200);
      const index = await request(`${server.inference}/v2/repository/index`, { method: 'POST', headers: { authorization: `Bearer ${keys.management.key}` } });
      expect(index.body).toEqual([{ name: 'spare', version: '1.0', state: 'READY', reason: '' }]);
    } finally {
      await server.stop();
      await temp.cleanup();
    }
  });
});
