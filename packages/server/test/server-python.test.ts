import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { buildArchive } from '@model-archiver/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_DEP_FILES, demoWheel, pythonWithNumpy } from '../../../fixtures/python/python-interpreter.mjs';
import { buildPythonArchive, request, runServerToExit, startServerProcess, tempDir, waitFor } from './helpers.js';
import type { RunningServer } from './helpers.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/python-classifier/', import.meta.url));

/** TorchServe-style class handler: answers what it saw, per request, and the batch size; a body "wait" holds 500 ms. */
const CLASS_HANDLER = `
import os
import time
class Handler:
    def initialize(self, context):
        self.batch_size = context.system_properties["batch_size"]
    def handle(self, data, context):
        if any(item.get("body") == b"wait" for item in data):
            time.sleep(0.5)
        return [{"keys": sorted(item.keys()), "size": len(item.get("data") or item.get("body") or b""),
                 "batch": len(data), "configured": self.batch_size, "pid": os.getpid()} for item in data]
`;

const HANDLERS: Record<string, string> = {
  raises: 'def handle(data, context):\n    if data is None:\n        return None\n    if data[0]["body"] == "boom":\n        raise ValueError("handler exploded in python")\n    return [item["body"] for item in data]\n',
  short: 'def handle(data, context):\n    if data is None:\n        return None\n    return data[1:]\n',
  hangs: 'import time\ndef handle(data, context):\n    if data is None:\n        return None\n    if data[0]["body"] == "hang":\n        time.sleep(600)\n    return ["ok" for _ in data]\n',
  leaks: 'import time\n_kept = []\ndef handle(data, context):\n    if data is None:\n        return None\n    mib = int(data[0]["body"])\n    _kept.append(b"x" * (mib << 20))\n    if mib:\n        time.sleep(10)\n    return [{"kept": mib}]\n',
  import_error: 'undefined_name_at_import()\n',
  init_error: 'def handle(data, context):\n    if data is None:\n        raise RuntimeError("weights are missing")\n    return data\n',
};

describe('model-server with Python handlers', () => {
  let server: RunningServer | undefined;
  let cleanup: () => Promise<void> = async () => {};
  let python = '';
  let store = '';
  const png = readFile(`${EXAMPLE}orange.png`);

  beforeAll(async () => {
    python = pythonWithNumpy();
    const temp = await tempDir();
    cleanup = temp.cleanup;
    store = temp.dir;
    // The example folder, archived with the seed's command line: --handler model_service:handle --model-path <dir> --runtime python.
    await buildArchive({ modelName: 'colours', handler: 'model_service:handle', modelPath: EXAMPLE, runtime: 'python', exportPath: temp.dir });
    await buildPythonArchive(temp.dir, 'tsclass', 'ts_handler.py', { 'ts_handler.py': CLASS_HANDLER, 'requirements.txt': 'numpy\n' }, 'torchserve');
    for (const [name, source] of Object.entries(HANDLERS)) await buildPythonArchive(temp.dir, name.replace('_', '-'), name, { [`${name}.py`]: source });
    server = await startServerProcess(['--model-store', temp.dir, '--models', 'colours.mar', 'raises.mar', 'short.mar', 'hangs.mar', '--response-timeout', '3', '--python', python]);
    const registered = await request(`${server.management}/models?url=tsclass.mar&batch_size=3&max_batch_delay=10000&initial_workers=1`, { method: 'POST' });
    expect(registered.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup();
  });

  const post = (model: string, body: string | Uint8Array, headers: Record<string, string> = {}): ReturnType<typeof request> =>
    request(`${server!.inference}/predictions/${model}`, { method: 'POST', body, headers });
  const servedAgain = (model: string, body: string | Uint8Array): Promise<unknown> => waitFor(async () => ((await post(model, body)).status === 200 ? true : undefined), 30_000);

  it('serves the example service with curl -T semantics (raw body, no content type): the top 5 as MMS shapes them', async () => {
    const answer = await post('colours', await png);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const top5 = answer.body as { probability: number; class: string }[];
    expect(top5.map((item) => Object.keys(item).sort())).toEqual(Array.from({ length: 5 }, () => ['class', 'probability']));
    expect(top5[0]).toMatchObject({ class: 'orange' });
    expect(top5[0]!.probability).toBeGreaterThan(0.9);
    // TorchServe's HandlerTime, measured around the handler in the Python worker.
    const metrics = (await request(`${server!.metrics}/metrics?name[]=HandlerTime`)).body as string;
    const handlerMs = /^HandlerTime\{ModelName="colours",Level="Model",Hostname="[^"]+",\} (\S+)$/m.exec(metrics)?.[1];
    expect(Number(handlerMs)).toBeGreaterThan(0);
  });

  it('passes a multipart field as "data" (curl -F data=@image)', async () => {
    const form = new FormData();
    form.append('data', new Blob([await png], { type: 'image/png' }), 'orange.png');
    const answer = await request(`${server!.inference}/predictions/colours`, { method: 'POST', body: form });
    expect(answer.status).toBe(200);
    expect(answer.body[0]).toMatchObject({ class: 'orange' });
  });

  it("answers the status a handler sets with context.set_response_status", async () => {
    const answer = await post('colours', 'not an image');
    expect(answer.status).toBe(415);
    expect(answer.body).toMatchObject({ code: 415 });
  });

  it('batches concurrent requests for a TorchServe-style class handler (batch_size from the register call)', async () => {
    // An idle worker takes a lone request at once; "wait" keeps it busy so the next three queue up into one batch.
    const busy = post('tsclass', 'wait', { 'content-type': 'application/octet-stream' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answers = await Promise.all(['a', 'bb', 'ccc'].map((body) => post('tsclass', body, { 'content-type': 'application/octet-stream' })));
    expect((await busy).body).toMatchObject({ batch: 1 });
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ keys: ['body'], size: index + 1, batch: 3, configured: 3 });
    });
  });

  it('logs a requirements.txt of an archive as a warning, once, without installing it', async () => {
    const notices = server!.logs.filter((line) => line.level === 'warn' && line.model === 'tsclass' && String(line.msg).includes('requirements.txt'));
    expect(notices).toHaveLength(1);
  });

  it('answers 503 HANDLER_FAILED when the handler raises, logs the traceback and keeps the worker', async () => {
    const failed = await post('raises', 'boom', { 'content-type': 'text/plain' });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ errorCode: 'HANDLER_FAILED' });
    const logged = await waitFor(() => server!.logs.find((line) => line.msg === 'handler error' && line.model === 'raises'));
    expect(String(logged.cause)).toContain('ValueError: handler exploded in python');
    const next = await post('raises', 'fine', { 'content-type': 'text/plain' });
    expect(next).toMatchObject({ status: 200, body: 'fine' });
  });

  it('answers 503 BATCH_SIZE_MISMATCH when the handler returns the wrong number of answers', async () => {
    const answer = await post('short', 'x');
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ errorCode: 'BATCH_SIZE_MISMATCH' });
  });

  it('refuses to register a handler whose import fails, with the Python cause (HANDLER_IMPORT_FAILED)', async () => {
    const answer = await request(`${server!.management}/models?url=import-error.mar&initial_workers=1`, { method: 'POST' });
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ errorCode: 'HANDLER_IMPORT_FAILED' });
    expect(String(answer.body.message)).toContain('NameError');
  });

  it('refuses to register a handler whose initialisation fails (HANDLER_INIT_FAILED)', async () => {
    const answer = await request(`${server!.management}/models?url=init-error.mar&initial_workers=1`, { method: 'POST' });
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ errorCode: 'HANDLER_INIT_FAILED' });
  });

  it('restarts a Python worker that was killed, and counts the restart', async () => {
    const describe = async (): Promise<number> => {
      const answer = await request(`${server!.management}/models/colours`);
      return answer.body[0].workers[0].pid as number;
    };
    const pid = await describe();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => server!.logs.find((line) => line.msg === 'worker died' && line.model === 'colours' && line.signal === 'SIGKILL'));
    await servedAgain('colours', await png);
    expect(await describe()).not.toBe(pid);
    const metrics = await request(`${server!.metrics}/metrics`);
    expect(metrics.body).toMatch(/model="colours",reason="exit"\} [1-9]/);
  });

  it('answers 408 when a handler hangs past the timeout, kills its worker and restarts it', async () => {
    const hung = await post('hangs', 'hang', { 'content-type': 'text/plain' });
    expect(hung.status).toBe(408);
    await servedAgain('hangs', 'quick');
    expect(server!.logs.some((line) => line.msg === 'worker died' && line.model === 'hangs' && line.reason === 'timeout')).toBe(true);
  });

  it('with --install-requirements, serves a handler whose requirements.txt installs a wheel of the archive', { timeout: 120_000 }, async () => {
    const archive = await buildPythonArchive(store, 'needs-dep', 'svc:handle', { ...DEMO_DEP_FILES, 'wheels/demo_dep-1.0-py3-none-any.whl': demoWheel(python) });
    const cache = `${store}/cache`;
    const other = await startServerProcess(['--models', `dep=${archive}`, '--python', python, '--install-requirements'], 120_000, false, { env: { MODEL_ARCHIVER_CACHE_DIR: cache } });
    try {
      const answer = await request(`${other.inference}/predictions/dep`, { method: 'POST', body: 'x' });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ value: 42 });
      expect(String(answer.body.prefix).startsWith(`${cache}/python-envs/`)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('recycles a Python worker over its memory_limit like a Node one: 507, counted, then serving again', async () => {
    const registered = await request(`${server!.management}/models?url=leaks.mar&memory_limit=150&initial_workers=1`, { method: 'POST' });
    expect(registered.status).toBe(200);
    const leaking = await post('leaks', '250', { 'content-type': 'text/plain' });
    expect(leaking.status).toBe(507);
    expect(leaking.body).toMatchObject({ errorCode: 'WORKER_MEMORY_LIMIT' });
    const metrics = String((await request(`${server!.metrics}/metrics`)).body);
    expect(metrics).toContain('model_server_worker_restarts_total{model="leaks",reason="memory"} 1');
    await servedAgain('leaks', '0');
  });

  it('fails to start with PYTHON_NOT_FOUND when --python names no interpreter', async () => {
    const result = await runServerToExit(['--models', `colours=${store}/colours.mar`, '--python', '/nonexistent/python3']);
    expect(result.code).toBe(1);
    const record = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'model server failed to start');
    expect(record?.errorCode).toBe('PYTHON_NOT_FOUND');
  });
});
