import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, runServerToExit, startServerProcess, tempDir, writeHandlerArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

interface KeyFile {
  management: { key: string };
  inference: { key: string };
  API: { key: string };
}

describe('token authorization over HTTP (on by default)', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};
  let keyFile = '';
  let keys: KeyFile;

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    // No flag at all: the defaults, with key_file.json in the working directory.
    keyFile = path.join(temp.dir, 'key_file.json');
    const echo = await writeHandlerArchive(temp.dir, 'echo', HANDLERS.echo);
    server = await startServerProcess(['--models', `echo=${echo}`], 60_000, false, { tokenAuth: true, cwd: temp.dir });
    keys = await readFile(keyFile, 'utf8')
      .then((text) => JSON.parse(text) as KeyFile)
      .catch(() => ({ management: { key: 'none' }, inference: { key: 'none' }, API: { key: 'none' } }));
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
  const expectRefused = (response: Awaited<ReturnType<typeof request>>): void => {
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 401, type: 'InvalidKeyException', errorCode: 'TOKEN_INVALID' });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  };

  it('writes key_file.json in the cwd with mode 0600 and logs its path', async () => {
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(server!.logs.find((record) => record.msg === 'model server started')).toMatchObject({ keyFile });
  });

  it('inference API: /predictions needs the inference key', async () => {
    const predict = (headers: Record<string, string> = {}): ReturnType<typeof request> =>
      request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain', ...headers } });
    expectRefused(await predict());
    expectRefused(await predict(bearer('not-a-key')));
    expectRefused(await predict(bearer(keys.management.key)));
    expectRefused(await predict({ authorization: keys.inference.key }));
    const ok = await predict(bearer(keys.inference.key));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ echo: 'hi' });
  });

  it('inference API: health checks stay open for probes', async () => {
    expect((await request(`${server!.inference}/ping`)).status).toBe(200);
    expect((await request(`${server!.inference}/v2/health/live`)).status).toBe(200);
    expect((await request(`${server!.inference}/v2/health/ready`)).status).toBe(200);
  });

  it('KServe v2 routes on the inference port need the inference key; errors carry "error"', async () => {
    const refused = await request(`${server!.inference}/v2/models/echo`);
    expectRefused(refused);
    expect(refused.body.error).toBe(refused.body.message);
    expectRefused(await request(`${server!.inference}/v2/models/echo/infer`, { method: 'POST', body: '{"inputs":[]}', headers: bearer(keys.API.key) }));
    expect((await request(`${server!.inference}/v2/models/echo`, { headers: bearer(keys.inference.key) })).status).toBe(200);
    // Unknown paths are refused before routing: nothing about the routes is told to a caller without a key.
    expectRefused(await request(`${server!.inference}/no/such/route`));
  });

  it('management API needs the management key', async () => {
    expectRefused(await request(`${server!.management}/models`));
    expectRefused(await request(`${server!.management}/models`, { headers: bearer(keys.inference.key) }));
    expectRefused(await request(`${server!.management}/models?url=echo.mar`, { method: 'POST', headers: bearer(keys.API.key) }));
    const list = await request(`${server!.management}/models`, { headers: bearer(keys.management.key) });
    expect(list.status).toBe(200);
    expect(list.body.models).toEqual([expect.objectContaining({ modelName: 'echo' })]);
  });

  it('metrics API stays open, as TorchServe', async () => {
    const metrics = await request(`${server!.metrics}/metrics`);
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toContain('model_server_requests_total{api="inference",model="",status="401"}');
  });

  it('token API: /token?type=inference with the API key replaces the inference key only', async () => {
    expectRefused(await request(`${server!.management}/token?type=inference`, { headers: bearer(keys.management.key) }));
    const bad = await request(`${server!.management}/token?type=api`, { headers: bearer(keys.API.key) });
    expect(bad.status).toBe(400);
    expect(bad.body.errorCode).toBe('INVALID_OPTION');
    const renewed = await request(`${server!.management}/token?type=inference`, { headers: bearer(keys.API.key) });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ type: 'inference' });
    expect(JSON.stringify(renewed.body)).not.toContain(keys.inference.key);
    const fresh = JSON.parse(await readFile(keyFile, 'utf8')) as KeyFile;
    expect(fresh.inference.key).not.toBe(keys.inference.key);
    expect(fresh.management.key).toBe(keys.management.key);
    const predict = (key: string): ReturnType<typeof request> => request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'x', headers: bearer(key) });
    expectRefused(await predict(keys.inference.key));
    expect((await predict(fresh.inference.key)).status).toBe(200);
    keys = fresh;
  });

  it('removes the key file on shutdown', async () => {
    expect(await server!.stop()).toBe(0);
    await expect(stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('model-server --disable-token-auth', () => {
  it('serves every API without a key and writes no key file', async () => {
    const temp = await tempDir();
    const echo = await writeHandlerArchive(temp.dir, 'echo', HANDLERS.echo);
    const keyFile = path.join(temp.dir, 'keys.json');
    const server = await startServerProcess(['--models', `echo=${echo}`, '--key-file', keyFile]);
    try {
      expect((await request(`${server.management}/models`)).status).toBe(200);
      expect((await request(`${server.inference}/predictions/echo`, { method: 'POST', body: 'x' })).status).toBe(200);
      expect((await request(`${server.management}/token?type=inference`)).status).toBe(404);
      await expect(stat(keyFile)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await server.stop();
      await temp.cleanup();
    }
  });
});

describe('model-server with a key file it cannot write', () => {
  it('does not start: exit 1 with OUTPUT_WRITE_FAILED logged', async () => {
    const temp = await tempDir();
    try {
      const run = await runServerToExit(['--key-file', path.join(temp.dir, 'no-such-folder', 'keys.json')], true);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('"errorCode":"OUTPUT_WRITE_FAILED"');
    } finally {
      await temp.cleanup();
    }
  });
});
