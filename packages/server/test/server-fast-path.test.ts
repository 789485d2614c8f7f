import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { buildArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLS_MODEL, HANDLERS, TRUSTED_PLACEMENTS, request, startServerProcess, tempDir, waitFor, writeHandlerArchive, writeOnnxArchive } from './helpers.js';
import type { RunningServer } from './helpers.js';

/** A binary-extension request of the classifier with an input `width` pixels wide. */
const binaryInfer = (width: number): RequestInit => {
  const data = new Float32Array(3 * 48 * width).fill(0.25);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, width], datatype: 'FP32', parameters: { binary_data_size: data.byteLength } }] }));
  return { method: 'POST', body: Buffer.concat([header, Buffer.from(data.buffer)]), headers: { 'inference-header-content-length': String(header.length) } };
};

describe.each(TRUSTED_PLACEMENTS)('fast path: built-in handlers on %s, custom handlers in processes', (placement) => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    const fast = await writeOnnxArchive(temp.dir, 'fast');
    await writeOnnxArchive(temp.dir, 'steady');
    await writeHandlerArchive(temp.dir, 'echo', HANDLERS.echo);
    // handler "onnx", but the archive brings its own onnx.mjs: the runtime loads that module, so it is user code.
    const source = await mkdtemp(path.join(os.tmpdir(), 'model-server-src-'));
    await writeFile(path.join(source, 'onnx.mjs'), `export function handle(batch) { return batch.map(() => ({ mine: true })); }`);
    await buildArchive({ modelName: 'shadow', handler: 'onnx', serializedFile: CLS_MODEL, extraFiles: [path.join(source, 'onnx.mjs')], version: '1.0', flavour: 'node', exportPath: temp.dir });
    await rm(source, { recursive: true, force: true });
    // Every model gets a 5 ms response timeout unless it is registered with another.
    server = await startServerProcess(['--model-store', temp.dir, '--models', `fast=${fast}`, '--response-timeout', '0.005', '--builtin-placement', placement]);
    for (const url of ['steady.mar', 'echo.mar', 'shadow.mar']) {
      const response = await request(`${server.management}/models?url=${url}&response_timeout=60&initial_workers=1`, { method: 'POST' });
      expect(response.status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const workerOf = async (model: string): Promise<{ pid: number; status: string; startTime: string }> =>
    (await request(`${server!.management}/models/${model}`)).body[0].workers[0];

  it('runs the built-in onnx handler in the server process and a custom handler in a process of its own', async () => {
    const pid = server!.child.pid;
    expect((await workerOf('steady')).pid).toBe(pid);
    expect(server!.logs.find((r) => r.msg === 'worker ready' && r.model === 'steady')).toMatchObject({ kind: placement, pid, handler: 'onnx (built-in)' });
    expect(server!.logs.find((r) => r.msg === 'worker ready' && r.model === 'echo')).toMatchObject({ kind: 'process' });
    expect((await workerOf('echo')).pid).not.toBe(pid);
    // An archive module named like a built-in is the archive's code: a process, not a thread.
    expect((await workerOf('shadow')).pid).not.toBe(pid);
    expect((await request(`${server!.inference}/predictions/shadow`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } })).body).toEqual({ mine: true });
    const answer = await request(`${server!.inference}/v2/models/steady/infer`, binaryInfer(192));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.body.outputs[0].shape).toEqual([1, 2]);
  });

  if (placement === 'main') {
    it('answers 408 when a run on the main thread ends past the timeout, answers /ping meanwhile and keeps serving', async () => {
      const slow = request(`${server!.inference}/v2/models/fast/infer`, binaryInfer(3840));
      const ping = await request(`${server!.inference}/ping`);
      const answer = await slow;
      expect(answer.status).toBe(408);
      expect(answer.body).toMatchObject({ errorCode: 'REQUEST_TIMEOUT' });
      expect(ping.status).toBe(200);
      // Usually the run ends first and its late answer becomes the 408 (the worker, which answered, stays); if the
      // timer wins the race before the run starts, the worker is replaced. Either way it is ready again, in-process.
      const after = await waitFor(async () => {
        const worker = await workerOf('fast');
        return worker.status === 'READY' ? worker : undefined;
      });
      expect(after.pid).toBe(server!.child.pid);
      expect((await request(`${server!.inference}/v2/models/steady/infer`, binaryInfer(192))).status).toBe(200);
    });
  } else {
    it('answers 408 when a thread runs past the timeout, terminates the thread and starts a new one; the server keeps serving', async () => {
      const before = await workerOf('fast');
      const answer = await request(`${server!.inference}/v2/models/fast/infer`, binaryInfer(3840));
      expect(answer.status).toBe(408);
      expect(answer.body).toMatchObject({ errorCode: 'REQUEST_TIMEOUT' });
      await waitFor(() => (server!.logs.some((r) => r.msg === 'worker died' && r.model === 'fast' && r.reason === 'timeout') ? true : undefined));
      const after = await waitFor(async () => {
        const worker = await workerOf('fast');
        return worker.status === 'READY' && worker.startTime !== before.startTime ? worker : undefined;
      });
      expect(after.pid).toBe(server!.child.pid);
      expect((await request(`${server!.inference}/v2/models/steady/infer`, binaryInfer(192))).status).toBe(200);
      expect((await request(`${server!.inference}/predictions/echo`, { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain' } })).status).toBe(200);
      const metrics = await request(`${server!.metrics}/metrics`);
      expect(metrics.body).toMatch(/model_server_worker_restarts_total\{model="fast",reason="timeout"\} [1-9]/);
    });
  }
});
