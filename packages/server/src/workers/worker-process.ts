import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { ModelWorker, WorkerExit, WorkerStartOptions } from './model-worker.js';
import { PendingBatches } from './pending-batches.js';
import { forwardWorkerOutput } from './worker-output.js';
import { fromWireError } from './worker-protocol.js';
import type { FromWorker, ToWorker, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

/** Compiled worker entry, next to this file in `dist/`. */
const WORKER_ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

/** One worker process seen from the server: load, run batches, stop or kill. */
export class WorkerProcess implements ModelWorker {
  readonly id: string;
  readonly kind = 'process';
  readonly startTime = new Date();
  readonly info: WireModelInfo;
  private readonly child: ChildProcess;
  private readonly pending = new PendingBatches();
  private exited = false;

  private constructor(id: string, child: ChildProcess, info: WireModelInfo) {
    this.id = id;
    this.child = child;
    this.info = info;
  }

  /** Forks a worker and waits until its model is loaded. Rejects with the load error (the process is then gone). */
  static start(options: WorkerStartOptions): Promise<WorkerProcess> {
    const child = fork(WORKER_ENTRY, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: options.env,
    });
    const fields = { model: options.load.modelName, worker: options.id, pid: child.pid };
    const stderrTail = forwardWorkerOutput(child, options.logger, fields);
    return new Promise((resolve, reject) => {
      let worker: WorkerProcess | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Worker did not load model ${options.load.modelName} within ${options.startupTimeout} ms.`));
      }, options.startupTimeout);
      child.on('message', (message: FromWorker) => {
        if (message.type === 'ready' && worker === undefined) {
          clearTimeout(timer);
          worker = new WorkerProcess(options.id, child, message.info);
          resolve(worker);
        } else if (message.type === 'load-failed') {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(fromWireError(message.error));
        } else if (message.type === 'result') {
          worker?.pending.settle(message.id, message.responses);
        }
      });
      child.on('error', (error) => options.logger.error('worker process error', { ...fields, error }));
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        // Let the last stderr lines arrive before reporting the cause.
        setImmediate(() => {
          const exit: WorkerExit = { code, signal, stderrTail: [...stderrTail] };
          if (worker === undefined) {
            reject(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Worker exited while loading model ${options.load.modelName} (code ${code}, signal ${signal}).`, { details: { stderrTail } }));
          } else {
            worker.markExited(exit);
          }
          options.onExit(exit);
        });
      });
      child.send({ type: 'load', ...options.load } satisfies ToWorker);
    });
  }

  /** Process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Sends one batch and resolves with one answer per request. Rejects with `WORKER_DIED` if the process ends first. */
  run(requests: WireRequest[]): Promise<WireResponse[]> {
    return this.pending.send(!this.exited, (id) => this.child.send({ type: 'batch', id, requests } satisfies ToWorker));
  }

  /** Asks the worker to close its model and exit; kills it after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the process at once (a hung handler). */
  kill(): void {
    if (!this.exited && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private markExited(exit: WorkerExit): void {
    this.exited = true;
    this.pending.rejectAll(exit, true);
    this.pending.clear();
  }
}
