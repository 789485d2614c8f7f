import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { ModelWorker, WorkerExit, WorkerStartOptions } from './model-worker.js';
import { ownedBuffer } from './worker-loop.js';
import { PendingBatches } from './pending-batches.js';
import { forwardWorkerOutput } from './worker-output.js';
import { fromWireError } from './worker-protocol.js';
import type { FromWorker, ToWorker, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

/** Compiled thread entry, next to this file in `dist/`. */
const THREAD_ENTRY = fileURLToPath(new URL('./worker-thread-main.js', import.meta.url));

/** Buffers of request bodies (and form parts) that can move to the thread instead of being copied, each once. */
const transferablesOf = (requests: readonly WireRequest[]): ArrayBuffer[] => {
  const out = new Set<ArrayBuffer>();
  for (const request of requests) {
    for (const bytes of [request.body, ...(request.parts ?? []).map((part) => part.data)]) {
      const buffer = ownedBuffer(bytes);
      if (buffer !== undefined) out.add(buffer);
    }
  }
  return [...out];
};

/**
 * One worker thread seen from the server, for trusted built-in handlers (`onnx`, `image_classifier`): the same protocol
 * as a worker process, without the process hop (messages are cloned in memory, body buffers transferred).
 *
 * Killing (a batch past its timeout): the thread counts as dead at once (its pending batches fail with `WORKER_DIED`,
 * `onExit` reports it, so the pool starts a new worker), but `terminate()` waits until no batch is inside it any more.
 * Terminating a thread while ONNX Runtime works for it aborts the whole process (onnxruntime-node's completion callback
 * throws into the torn-down environment), and a built-in handler only "hangs" inside ONNX Runtime, which returns.
 */
export class WorkerThread implements ModelWorker {
  readonly id: string;
  readonly kind = 'thread';
  readonly startTime = new Date();
  readonly info: WireModelInfo;
  private readonly worker: Worker;
  private readonly pending = new PendingBatches();
  private readonly onExit: (exit: WorkerExit) => void;
  /** Batches sent to the thread and not answered yet (pending or abandoned). */
  private inThread = 0;
  private exited = false;
  private reported = false;
  private terminateWhenIdle = false;

  private constructor(id: string, worker: Worker, info: WireModelInfo, onExit: (exit: WorkerExit) => void) {
    this.id = id;
    this.worker = worker;
    this.info = info;
    this.onExit = onExit;
  }

  /** Starts a thread and waits until its model is loaded. Rejects with the load error (the thread is then gone). */
  static start(options: WorkerStartOptions): Promise<WorkerThread> {
    const worker = new Worker(THREAD_ENTRY, { stdout: true, stderr: true, env: options.env });
    const fields = { model: options.load.modelName, worker: options.id, thread: worker.threadId };
    const stderrTail = forwardWorkerOutput(worker, options.logger, fields);
    return new Promise((resolve, reject) => {
      let thread: WorkerThread | undefined;
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Worker did not load model ${options.load.modelName} within ${options.startupTimeout} ms.`));
      }, options.startupTimeout);
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready' && thread === undefined) {
          clearTimeout(timer);
          thread = new WorkerThread(options.id, worker, message.info, options.onExit);
          resolve(thread);
        } else if (message.type === 'load-failed') {
          clearTimeout(timer);
          void worker.terminate();
          reject(fromWireError(message.error));
        } else if (message.type === 'result') {
          thread?.settle(message.id, message.responses);
        }
      });
      // An exception the handler did not catch ends the thread (as it would end a process).
      worker.on('error', (error) => {
        stderrTail.push(error.stack ?? String(error));
        options.logger.error('worker thread error', { ...fields, error });
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        setImmediate(() => {
          const exit: WorkerExit = { code, signal: null, stderrTail: [...stderrTail] };
          if (thread === undefined) {
            reject(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Worker exited while loading model ${options.load.modelName} (code ${code}).`, { details: { stderrTail } }));
            options.onExit(exit);
          } else {
            thread.markExited(exit);
          }
        });
      });
      worker.postMessage({ type: 'load', ...options.load } satisfies ToWorker);
    });
  }

  /** The server's process id (a thread has none of its own). */
  get pid(): number {
    return process.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  run(requests: WireRequest[]): Promise<WireResponse[]> {
    return this.pending.send(!this.exited, (id) => {
      this.inThread += 1;
      this.worker.postMessage({ type: 'batch', id, requests } satisfies ToWorker, transferablesOf(requests));
    });
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    if (this.inThread > 0) {
      // Never terminate mid-run (see the class comment): give the batches inside the grace period first.
      const deadline = Date.now() + graceMs;
      while (this.inThread > 0 && !this.exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.exited) return;
    const busy = this.inThread > 0;
    this.markExited({ code: null, signal: 'SIGKILL', stderrTail: [] });
    if (busy) this.terminateWhenIdle = true;
    else void this.worker.terminate();
  }

  private settle(id: number, responses: WireResponse[]): void {
    this.inThread = Math.max(0, this.inThread - 1);
    this.pending.settle(id, responses);
    if (this.terminateWhenIdle && this.inThread === 0) void this.worker.terminate();
  }

  /** Fails the pending batches and reports the end once (a kill reports before the thread is really gone). */
  private markExited(exit: WorkerExit): void {
    this.exited = true;
    this.pending.rejectAll(exit, false);
    this.pending.clear();
    if (!this.reported) {
      this.reported = true;
      this.onExit(exit);
    }
  }
}
