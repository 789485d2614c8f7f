import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HANDLERS, request, runServerToExit, startServerProcess, tempDir, waitFor, writeHandlerArchive } from './helpers.js';

describe('model-server process lifecycle', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeHandlerArchive(dir, 'slow', HANDLERS.slow);
    await writeHandlerArchive(dir, 'broken', 'export const nothing = 1;');
  });
  afterAll(() => cleanup());

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const server = await startServerProcess(['--model-store', dir, '--models', 'slow.mar']);
    const inFlight = request(`${server.inference}/predictions/slow`, { method: 'POST', body: '800', headers: { 'content-type': 'text/plain', 'x-request-id': 'drain-me' } });
    await waitFor(() => server.logs.find((line) => line.msg === 'sleeping drain-me'));
    const exited = server.stop();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ slept: 800 });
    expect(await exited).toBe(0);
    expect(server.logs.some((line) => line.msg === 'model server stopped')).toBe(true);
  });

  it('drains on Ctrl-C, which signals the whole process group, workers included', async () => {
    const server = await startServerProcess(['--model-store', dir, '--models', 'slow.mar'], 60_000, true);
    const inFlight = request(`${server.inference}/predictions/slow`, { method: 'POST', body: '800', headers: { 'content-type': 'text/plain', 'x-request-id': 'ctrl-c' } });
    await waitFor(() => server.logs.find((line) => line.msg === 'sleeping ctrl-c'));
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', (code) => resolve(code)));
    process.kill(-(server.child.pid as number), 'SIGINT');
    expect((await inFlight).status).toBe(200);
    expect(await exited).toBe(0);
  });

  it('fails to start, with exit code 1 and the error code logged, when a startup model does not load', async () => {
    const result = await runServerToExit(['--model-store', dir, '--models', 'broken.mar']);
    expect(result.code).toBe(1);
    const record = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === 'model server failed to start');
    expect(record?.errorCode).toBe('HANDLER_INVALID');
  });

  it('fails to start when a startup archive does not exist', async () => {
    const result = await runServerToExit(['--models', `x=${dir}/missing.mar`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('ARCHIVE_NOT_FOUND');
  });

  it('exits 2 on an unknown flag', async () => {
    const result = await runServerToExit(['--no-such-flag']);
    expect(result.code).toBe(2);
  });
});
