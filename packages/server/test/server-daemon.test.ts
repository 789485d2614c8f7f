import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, HANDLERS, request, startServerProcess, tempDir, writeHandlerArchive } from './helpers.js';

/** Runs `model-server` to completion in `cwd`. */
const run = (args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });

// README's serving section, as a user runs it: --start, requests, --stop (ports 0 here; the README uses the defaults).
describe('model-server --start / --stop', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  let pidFile = '';
  const ports = ['--inference-port', '0', '--management-port', '0', '--metrics-port', '0'];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeHandlerArchive(path.join(dir, 'model-store'), 'echo', HANDLERS.echo);
    pidFile = path.join(dir, 'model_server.pid');
  });
  afterAll(async () => {
    if (existsSync(pidFile)) await run(['--stop', '--pid-file', pidFile], dir);
    await cleanup();
  });

  it('starts detached, serves, refuses a second start, stops, and says when nothing runs', async () => {
    const started = await run(['--start', '--model-store', 'model-store', '--models', 'echo.mar', '--pid-file', pidFile, ...ports], dir);
    expect(started.code).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(Number.isInteger(pid) && pid > 0).toBe(true);
    const inference = /inference (http:\/\/\S+),/.exec(started.stdout)?.[1];
    const management = /management (http:\/\/\S+),/.exec(started.stdout)?.[1];
    expect((await request(`${inference}/ping`)).body).toEqual({ status: 'Healthy' });
    // Token authorization is on (as in the README): the keys are in key_file.json in the cwd of --start.
    const keys = JSON.parse(readFileSync(path.join(dir, 'key_file.json'), 'utf8')) as Record<string, { key: string }>;
    const bearer = (api: string): Record<string, string> => ({ authorization: `Bearer ${keys[api]!.key}` });
    const answer = await request(`${inference}/predictions/echo`, { method: 'POST', body: 'hi', headers: { 'content-type': 'text/plain', ...bearer('inference') } });
    expect(answer.body).toMatchObject({ echo: 'hi' });
    expect((await request(`${management}/models`, { headers: bearer('management') })).body.models).toEqual([{ modelName: 'echo', modelUrl: 'echo.mar' }]);
    expect(existsSync(path.join(dir, 'logs', 'model_server.log'))).toBe(true);

    const again = await run(['--start', '--pid-file', pidFile, ...ports], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('SERVER_ALREADY_RUNNING');

    const stopped = await run(['--stop', '--pid-file', pidFile], dir);
    expect(stopped.code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    expect(existsSync(path.join(dir, 'key_file.json'))).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${inference}/ping`)).rejects.toThrow();

    const nothing = await run(['--stop', '--pid-file', pidFile], dir);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('SERVER_NOT_RUNNING');
  });

  it('exits 1 without a pid file when the detached server cannot start', async () => {
    const failed = await run(['--start', '--models', 'missing.mar', '--pid-file', pidFile, '--log-file', 'failed.log', ...ports], dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('ARCHIVE_NOT_FOUND');
    expect(existsSync(pidFile)).toBe(false);
  });

  it('--start --foreground serves in the foreground with the pid file, and --stop stops it', async () => {
    const server = await startServerProcess(['--start', '--foreground', '--model-store', path.join(dir, 'model-store'), '--models', 'echo.mar', '--pid-file', pidFile]);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(server.child.pid);
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    const stopped = await run(['--stop', '--pid-file', pidFile], dir);
    expect(stopped.code).toBe(0);
    expect(await exited).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });
});
