import { describe, expect, it, vi } from 'vitest';

import { createMetrics } from '../src/metrics.js';
import { silentLogger } from '../src/logger.js';
import { DEFAULT_MODEL_SETTINGS } from '../src/model-settings.js';
import { ModelRunner } from '../src/workers/model-runner.js';
import type { WireRequest, WireResponse } from '../src/workers/worker-protocol.js';

/** How long the fake worker's run blocks the event loop, as a run on the main thread does. */
let blockMs = 0;
const kills: string[] = [];

// A pool of one always-ready worker whose run blocks synchronously for `blockMs`, then answers 200.
vi.mock('../src/workers/worker-pool.js', () => ({
  WorkerPool: class {
    private readonly slot = { id: '1', state: 'idle', process: {}, restartTimer: undefined, running: new Set(), killedForTimeout: false };
    readonly size = 1;
    readonly readyCount = 1;
    info = undefined;
    idleSlot() {
      return this.slot.running.size === 0 ? this.slot : undefined;
    }
    async scale(): Promise<void> {}
    async close(): Promise<void> {}
    killHung(_slot: unknown, requestId: string): void {
      kills.push(requestId);
    }
    run(_slot: unknown, requests: WireRequest[]): Promise<WireResponse[]> {
      const until = Date.now() + blockMs;
      while (Date.now() < until);
      return Promise.resolve(requests.map(() => ({ ok: true, status: 200, contentType: 'text/plain', headers: {}, body: new Uint8Array([1]) })));
    }
  },
}));

const runnerWithTimeout = (responseTimeout: number): ModelRunner =>
  new ModelRunner({
    name: 'm',
    url: 'm.mar',
    version: '1.0',
    runtime: 'node',
    settings: { ...DEFAULT_MODEL_SETTINGS, responseTimeout, batchSize: 1 },
    loadedAtStartup: false,
    archivePath: '/nowhere/m.mar',
    logger: silentLogger,
    metrics: createMetrics(),
    env: {},
    startupTimeout: 1000,
    verifyIntegrity: true,
    allowUnverified: false,
    intraOpThreads: 0,
    serverVersion: 'test',
    maxResponseSize: 1000,
    installRequirements: false,
    builtinPlacement: 'main',
  });

const wire = (requestId: string): WireRequest => ({ requestId, kind: 'predict', body: new Uint8Array(0), contentType: 'text/plain', headers: {}, query: {} });

describe('ModelRunner response timeout', () => {
  it('answers 408 REQUEST_TIMEOUT when an answer comes back after the deadline, before the timer could run, and keeps the worker', async () => {
    blockMs = 60;
    const runner = runnerWithTimeout(20);
    await expect(runner.submit(wire('late'))).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    expect(kills).toEqual([]);
    await runner.close();
  });

  it('sends an answer that comes back in time', async () => {
    blockMs = 0;
    const runner = runnerWithTimeout(1000);
    await expect(runner.submit(wire('fast'))).resolves.toMatchObject({ status: 200 });
    await runner.close();
  });
});
