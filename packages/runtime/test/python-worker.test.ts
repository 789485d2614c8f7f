import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { pythonWithNumpy } from '../../../fixtures/python/python-interpreter.mjs';
import { PythonWorker, preparePythonTarget } from '../src/python/index.js';
import type { PythonRequest, PythonResponse, PythonTarget } from '../src/python/index.js';
import { tempArea } from './helpers.js';
import type { TempArea } from './helpers.js';
import { buildPythonArchive } from './python-helpers.js';

/** Answers what the handler saw of each request, and exercises the context's response and metrics calls. */
const INSPECT = `
def handle(data, context):
    if data is None:
        return None
    out = []
    for i, item in enumerate(data):
        context.metrics.add_time("InspectTime", 1.5, idx=i)
        if item.get("status") == "201":
            context.set_http_response_status(201, "Created", i)  # MMS's name
        if item.get("v2"):
            out.append([{"name": "y", "datatype": "BYTES", "shape": [1], "data": ["ok"]}])
            continue
        out.append({
            "fields": {k: [type(v).__name__, v if isinstance(v, (str, int, float, list, dict)) else len(v)] for k, v in item.items()},
            "types": context.get_all_request_header(i),
        })
    return out
`;

/** The built client, as a separate Node process imports it (`npm test` builds first). */
const DIST_CLIENT = new URL('../dist/python/index.js', import.meta.url).href;

/** True while `pid` runs (a zombie waiting to be reaped counts as gone). */
const running = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('Python worker protocol', () => {
  let area: TempArea;
  let python: string;
  let target: PythonTarget;
  const workers: PythonWorker[] = [];

  const start = async (env: NodeJS.ProcessEnv = process.env, onStderr?: (line: string) => void): Promise<PythonWorker> => {
    const worker = await PythonWorker.start({ target, python, env, batchSize: 2, serverVersion: 'test', ...(onStderr === undefined ? {} : { onStderr }) });
    workers.push(worker);
    return worker;
  };
  const request = (fields: Partial<PythonRequest>): PythonRequest => ({ requestId: 'r', body: new Uint8Array(0), contentType: '', headers: {}, query: {}, ...fields });
  const ok = (response: PythonResponse | undefined): Extract<PythonResponse, { ok: true }> => {
    if (response === undefined || !response.ok) throw new Error(`not ok: ${JSON.stringify(response)}`);
    return response;
  };
  const json = (response: PythonResponse | undefined): any => JSON.parse(Buffer.from(ok(response).body).toString('utf8'));

  beforeAll(async () => {
    python = pythonWithNumpy();
    area = await tempArea();
    const archive = await buildPythonArchive(area.root, 'inspect', 'inspect_svc:handle', { 'inspect_svc.py': INSPECT });
    const prepared = await preparePythonTarget(archive, { cacheDir: area.cacheDir });
    if (prepared === undefined) throw new Error('not a Python target');
    target = prepared;
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await area.cleanup();
  });

  it('decodes bodies as the reference backends: JSON parsed (bytes when it does not parse), text as str, else bytes', async () => {
    const worker = await start();
    const [good, bad, text, bytes] = await worker.run([
      request({ body: Buffer.from('{"a": [1, 2]}'), contentType: 'application/json' }),
      request({ body: Buffer.from('{not json'), contentType: 'application/json' }),
      request({ body: Buffer.from('héllo'), contentType: 'text/plain; charset=utf-8' }),
      request({ body: Buffer.from([1, 2, 3]), contentType: 'image/png' }),
    ]);
    expect(json(good).fields).toEqual({ body: ['dict', { a: [1, 2] }] });
    expect(json(bad).fields).toEqual({ body: ['bytes', 9] });
    expect(json(text).fields).toEqual({ body: ['str', 'héllo'] });
    expect(json(bytes).fields).toEqual({ body: ['bytes', 3] });
    expect(json(bytes).types).toMatchObject({ body: { 'content-type': 'image/png' } });
  });

  it('keeps bytes when TS_DECODE_INPUT_REQUEST=false', async () => {
    const worker = await start({ ...process.env, TS_DECODE_INPUT_REQUEST: 'false' });
    const [answer] = await worker.run([request({ body: Buffer.from('{"a": 1}'), contentType: 'application/json' })]);
    expect(json(answer).fields).toEqual({ body: ['bytes', 8] });
  });

  it('passes multipart fields under their names with their content types, query parameters and request headers', async () => {
    const worker = await start();
    const [answer] = await worker.run([
      request({
        query: { topk: '3' },
        headers: { 'x-trace': 'abc' },
        parts: [
          { name: 'data', contentType: 'image/png', filename: 'a.png', data: Buffer.from([9, 9]) },
          { name: 'meta', contentType: 'application/json', data: Buffer.from('{"k": true}') },
        ],
      }),
    ]);
    const seen = json(answer);
    expect(seen.fields).toEqual({ topk: ['str', '3'], data: ['bytes', 2], meta: ['dict', { k: true }] });
    expect(seen.types).toMatchObject({ data: { 'content-type': 'image/png' }, meta: { 'content-type': 'application/json' }, 'x-trace': 'abc' });
  });

  it("answers the status set with MMS's set_http_response_status and logs context.metrics calls as [METRICS] lines", async () => {
    const lines: string[] = [];
    const worker = await start(process.env, (line) => lines.push(line));
    const [answer] = await worker.run([request({ requestId: 'req-9', query: { status: '201' } })]);
    expect(ok(answer).status).toBe(201);
    // stderr is another pipe than the frames: the line may arrive after the answer.
    const logged = (): boolean => lines.some((line) => line.startsWith('[METRICS]InspectTime.ms:1.5|#ModelName:inspect') && line.includes('RequestId:req-9'));
    for (let waited = 0; !logged() && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(logged()).toBe(true);
  });

  it('wraps a KServe v2 answer as {id, model_name, model_version, outputs}', async () => {
    const worker = await start();
    const [answer] = await worker.run([request({ kind: 'v2-infer', body: Buffer.from('{"id": "q1", "inputs": []}'), contentType: 'application/json', query: { v2: '1' } })]);
    expect(ok(answer).contentType).toBe('application/json');
    expect(json(answer)).toEqual({ id: 'q1', model_name: 'inspect', model_version: '1.0', outputs: [{ name: 'y', datatype: 'BYTES', shape: [1], data: ['ok'] }] });
  });

  it('exits when the process that started it dies, even while its handler hangs', async () => {
    const archive = await buildPythonArchive(area.root, 'hangs', 'hang_svc:handle', {
      'hang_svc.py': 'import time\ndef handle(data, context):\n    if data is None:\n        return None\n    time.sleep(600)\n',
    });
    const hangTarget = await preparePythonTarget(archive, { cacheDir: area.cacheDir });
    const script = [
      `import { PythonWorker } from ${JSON.stringify(DIST_CLIENT)};`,
      'const worker = await PythonWorker.start({ target: JSON.parse(process.argv[1]), python: process.argv[2], batchSize: 1, serverVersion: "t" });',
      'void worker.run([{ requestId: "r", body: new Uint8Array(0), contentType: "", headers: {}, query: {} }]);',
      'console.log(worker.pid);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(hangTarget), python], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => createInterface({ input: parent.stdout }).once('line', (line) => resolve(Number(line))));
    expect(running(pid)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the batch is in the handler now
    parent.kill('SIGKILL');
    for (let waited = 0; running(pid) && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running(pid)).toBe(false);
  });

  it('answers batches sent before the previous one finished, in order', async () => {
    const worker = await start();
    const runs = Array.from({ length: 5 }, (_, i) => worker.run([request({ body: Buffer.alloc(i * 1000 + 1), contentType: 'application/octet-stream' })]));
    const answers = await Promise.all(runs);
    answers.forEach(([answer], i) => expect(json(answer).fields).toEqual({ body: ['bytes', i * 1000 + 1] }));
  });
});
