import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { ModelWorker, WorkerExit, WorkerStartOptions } from './model-worker.js';
import { PendingBatches } from './pending-batches.js';
import { createWorkerLoop } from './worker-loop.js';
import { fromWireError } from './worker-protocol.js';
import type { FromWorker, ToWorker, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

/**
 * A worker on the server's main thread, for trusted built-in handlers (`onnx`, `image_classifier`) when the server runs
 * with `builtinPlacement: 'main'`: the same worker loop as a thread or a Node process (`worker-loop.ts`: load with the
 * runtime's `loadModel`, the same codec, the same coded errors), called directly, so a request costs no message and no
 * wake-up of another thread.
 *
 * The tradeoff: ONNX Runtime's `run` is synchronous on the calling thread, so a batch blocks the server's event loop
 * while it runs (other requests, /ping and the timers of response timeouts wait until it returns), and a run cannot be
 * interrupted. A kill (a batch past its timeout) marks the worker dead at once (its batches fail with `WORKER_DIED`,
 * `onExit` reports it so the pool starts a new worker); the model is closed as soon as no batch is inside it any more.
 */
export class WorkerInProcess implements ModelWorker {
  readonly id: string;
  readonly kind = 'main';
  readonly startTime = new Date();
  readonly info: WireModelInfo;
  private readonly send: (message: ToWorker) => void;
  private readonly onExit: (exit: WorkerExit) => void;
  private readonly pending: PendingBatches;
  private readonly ended: Promise<void>;
  private exited = false;
  private closing = false;

  private constructor(
    id: string,
    info: WireModelInfo,
    parts: { send: (message: ToWorker) => void; onExit: (exit: WorkerExit) => void; pending: WorkerInProcess['pending']; ended: Promise<void> },
  ) {
    this.id = id;
    this.info = info;
    this.send = parts.send;
    this.onExit = parts.onExit;
    this.pending = parts.pending;
    this.ended = parts.ended;
  }

  /** Loads the model on this thread. Rejects with the load error (or `MODEL_LOAD_FAILED` after `startupTimeout`). */
  static start(options: WorkerStartOptions): Promise<WorkerInProcess> {
    const pending = new PendingBatches();
    let markEnded: () => void = () => {};
    const ended = new Promise<void>((resolve) => (markEnded = resolve));
    const fields = { model: options.load.modelName, worker: options.id };
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        // The load goes on; the worker it makes is closed when it is ready (below).
        reject(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Worker did not load model ${options.load.modelName} within ${options.startupTimeout} ms.`));
      }, options.startupTimeout);
      let worker: WorkerInProcess | undefined;
      const onMessage = createWorkerLoop(
        {
          send: (message: FromWorker) => {
            if (message.type === 'result') {
              pending.settle(message.id, message.responses);
              if (worker?.closing === true && pending.size === 0) worker.close();
            } else if (message.type === 'ready') {
              clearTimeout(timer);
              worker = new WorkerInProcess(options.id, message.info, { send: (m) => onMessage(m), onExit: options.onExit, pending, ended });
              if (settled) worker.close();
              else resolve(worker);
              settled = true;
            } else {
              clearTimeout(timer);
              if (!settled) reject(fromWireError(message.error));
              settled = true;
            }
          },
          end: () => markEnded(),
        },
        (text) => options.logger.warn(text, { ...fields, stream: 'stderr' }),
      );
      onMessage({ type: 'load', ...options.load });
    });
  }

  /** The server's process id (the worker has none of its own). */
  get pid(): number {
    return process.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(requests: WireRequest[]): Promise<WireResponse[]> {
    return this.pending.send(!this.exited, (id) => this.send({ type: 'batch', id, requests }));
  }

  /** Waits (up to `graceMs`) for the batches inside, then closes the model. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return this.ended;
    const deadline = Date.now() + graceMs;
    while (this.pending.size > 0 && !this.exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    this.kill({ code: 0, signal: null, stderrTail: [] });
    await this.ended;
  }

  /** Counts the worker dead at once; its model closes when the batch inside (if any) returns. */
  kill(exit: WorkerExit = { code: null, signal: 'SIGKILL', stderrTail: [] }): void {
    if (this.exited) return;
    this.exited = true;
    const busy = this.pending.size > 0;
    // Batches still inside the loop answer into it: their ids stay so the close waits for them.
    this.pending.rejectAll(exit, false);
    if (busy) this.closing = true;
    else this.close();
    this.onExit(exit);
  }

  private close(): void {
    this.closing = false;
    this.send({ type: 'close' });
  }
}
