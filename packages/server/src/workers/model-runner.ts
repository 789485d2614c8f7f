import { ErrorCode, ModelArchiveError, isModelArchiveError } from '@model-archiver/core';

import type { ModelSettings } from '../model-settings.js';
import { WorkerPool } from './worker-pool.js';
import type { WorkerPoolOptions, WorkerSlot } from './worker-pool.js';
import { fromWireError, handlerTimeOf } from './worker-protocol.js';
import type { WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

type Answer = Extract<WireResponse, { ok: true }>;

interface Job {
  request: WireRequest;
  enqueuedAt: number;
  resolve: (answer: Answer) => void;
  reject: (error: ModelArchiveError) => void;
  timer: NodeJS.Timeout;
  slot?: WorkerSlot;
  done: boolean;
}

/** Settings passed through to the worker pool unchanged. */
type WorkerSettings = Omit<WorkerPoolOptions, 'modelName' | 'batchSize' | 'onIdle' | 'memoryLimit'>;

/** What a runner needs besides its settings. */
export interface ModelRunnerOptions extends WorkerSettings {
  name: string;
  /** The `url` it was registered from (shown by the management API). */
  url: string;
  /** The archive's model version (read from its manifest at registration). */
  version: string;
  /** The manifest's runtime, or the `runtime` register parameter. */
  runtime: string;
  settings: ModelSettings;
  loadedAtStartup: boolean;
}

/**
 * One registered model version: a bounded request queue, the dynamic batcher and a pool of workers (threads for
 * trusted built-in handlers, processes for the rest). An idle worker takes whatever waits at once; a busy one gets a
 * batch when `batchSize` requests wait or the oldest has waited `maxBatchDelay` ms (see `dispatch`). Each request has its own timeout; a batch still running at its timeout kills its (hung) worker.
 */
export class ModelRunner {
  readonly options: ModelRunnerOptions;
  readonly settings: ModelSettings;
  private readonly pool: WorkerPool;
  private readonly queue: Job[] = [];
  private running = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private dispatchScheduled = false;
  private drainWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: ModelRunnerOptions) {
    this.options = options;
    this.settings = { ...options.settings };
    const { archivePath, logger, metrics, env, startupTimeout, verifyIntegrity, allowUnverified, intraOpThreads, serverVersion, maxResponseSize, handler, python, installRequirements, builtinPlacement } = options;
    this.pool = new WorkerPool({
      ...({ archivePath, logger, metrics, env, startupTimeout, verifyIntegrity, allowUnverified, intraOpThreads, serverVersion, maxResponseSize, installRequirements, builtinPlacement } satisfies WorkerSettings),
      ...(python === undefined ? {} : { python }),
      memoryLimit: options.settings.memoryLimit,
      ...(handler === undefined ? {} : { handler }),
      modelName: options.name,
      batchSize: options.settings.batchSize,
      onIdle: () => this.dispatch(),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** The model version this runner serves. */
  get version(): string {
    return this.options.version;
  }

  /** Model facts reported by the first worker that loaded it (version, manifest, tensors). */
  get info(): WireModelInfo | undefined {
    return this.pool.info;
  }

  /**
   * Whether the model can serve a request now: a worker of it is ready (the Open Inference Protocol's model readiness,
   * `GET /v2/models/{m}/ready` and the repository index). A model registered with no worker (`min_worker` 0, what
   * `POST /models` does by default) is not ready: its requests get 503.
   */
  get ready(): boolean {
    return this.pool.readyCount > 0;
  }

  /**
   * Whether every worker the model should have is ready (TorchServe's `GET /ping` rule): `min_worker` ready workers, so
   * a model with `min_worker` 0 is healthy.
   */
  get healthy(): boolean {
    return this.pool.readyCount >= this.settings.minWorkers;
  }

  /** Requests queued or running. */
  get pending(): number {
    return this.queue.length + this.running;
  }

  /** Starts `count` workers (replacing the target) and waits for them; the first load error rejects. */
  async scale(minWorkers: number, maxWorkers: number): Promise<void> {
    this.settings.minWorkers = minWorkers;
    this.settings.maxWorkers = maxWorkers;
    await this.pool.scale(minWorkers);
  }

  /** Queues one request; resolves with the handler's answer or rejects with a coded error. */
  submit(request: WireRequest): Promise<Answer> {
    if (this.closed || this.pool.size === 0) {
      return Promise.reject(new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, `No worker is available to serve request for model: ${this.name}. Consider increasing job queue size.`));
    }
    if (this.queue.length >= this.settings.queueSize) {
      return Promise.reject(new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, `Model "${this.name}" has no worker free and its queue is full. Consider increasing job queue size.`));
    }
    return new Promise<Answer>((resolve, reject) => {
      const job: Job = {
        request,
        enqueuedAt: Date.now(),
        resolve,
        reject,
        timer: setTimeout(() => this.timeOut(job), this.settings.responseTimeout),
        done: false,
      };
      this.queue.push(job);
      this.options.metrics.queueDepth.set({ model: this.name }, this.queue.length);
      this.scheduleDispatch();
    });
  }

  /** Resolves once no request is queued or running (or after `timeoutMs`). */
  drain(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops the workers; queued requests get 503. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.batchTimer);
    for (const job of this.queue.splice(0)) {
      this.finish(job, new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, `Model "${this.name}" is shutting down.`));
    }
    await this.pool.close();
    this.options.metrics.queueDepth.remove({ model: this.name });
    this.options.metrics.workers.remove({ model: this.name });
  }

  /** The TorchServe `DescribeModelResponse` of this version. */
  describe(): Record<string, unknown> {
    return {
      modelName: this.name,
      modelVersion: this.version,
      modelUrl: this.options.url,
      runtime: this.options.runtime,
      minWorkers: this.settings.minWorkers,
      maxWorkers: this.settings.maxWorkers,
      batchSize: this.settings.batchSize,
      maxBatchDelay: this.settings.maxBatchDelay,
      responseTimeout: Math.round(this.settings.responseTimeout / 1000),
      startupTimeout: Math.round(this.options.startupTimeout / 1000),
      loadedAtStartup: this.options.loadedAtStartup,
      workers: this.pool.describeWorkers(),
      jobQueueStatus: { remainingCapacity: Math.max(0, this.settings.queueSize - this.queue.length), pendingRequests: this.queue.length },
    };
  }

  /**
   * Sends what is waiting to the workers. A worker with nothing to do takes the waiting requests at once, however few
   * (a lone request never waits `maxBatchDelay` while a worker is idle); a busy worker with room in its pipeline only
   * gets a full batch, or one whose oldest request has waited `maxBatchDelay`. So batches form from what queues up
   * while the workers are busy.
   */
  private dispatch(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.pool.idleSlot();
      if (slot === undefined) return;
      const head = this.queue[0] as Job;
      const waitLeft = head.enqueuedAt + this.settings.maxBatchDelay - Date.now();
      if (slot.running.size > 0 && this.queue.length < this.settings.batchSize && waitLeft > 0) {
        this.batchTimer = setTimeout(() => this.dispatch(), waitLeft);
        return;
      }
      this.runBatch(slot, this.queue.splice(0, this.settings.batchSize));
    }
  }

  /**
   * Dispatches after the requests that arrived in the same turn of the event loop are queued too (they then go
   * together), once per turn.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private runBatch(slot: WorkerSlot, jobs: Job[]): void {
    this.running += jobs.length;
    this.options.metrics.queueDepth.set({ model: this.name }, this.queue.length);
    this.options.metrics.batchSize.observe({ model: this.name }, jobs.length);
    const sentAt = Date.now();
    for (const job of jobs) {
      job.slot = slot;
      this.options.metrics.torchserve.dequeued(this.name, this.version, sentAt - job.enqueuedAt);
    }
    this.pool
      .run(slot, jobs.map((job) => job.request))
      .then(
        (responses) => {
          const now = Date.now();
          const handlerMs = handlerTimeOf(responses);
          if (handlerMs !== undefined) this.options.metrics.torchserve.handlerDone(this.name, handlerMs);
          jobs.forEach((job, index) => {
            const response = responses[index];
            if (response === undefined) this.finish(job, new ModelArchiveError(ErrorCode.INTERNAL, 'The worker sent no answer.'));
            // Past its timeout, though its timer has not run yet: a worker on the main thread blocks timers while it
            // runs, so the answer comes first. The client gets the 408 it is owed; the worker did answer, so it stays.
            else if (now - job.enqueuedAt >= this.settings.responseTimeout) this.finish(job, this.timeoutError());
            else if (response.ok) this.finish(job, response);
            else this.finish(job, fromWireError(response.error), response.error.cause);
          });
        },
        (error: unknown) => {
          const coded = isModelArchiveError(error) ? error : new ModelArchiveError(ErrorCode.WORKER_DIED, 'The worker failed.', { cause: error });
          for (const job of jobs) this.finish(job, coded);
        },
      )
      .finally(() => {
        this.options.metrics.torchserve.batchDone(this.name, Date.now() - sentAt);
        this.running -= jobs.length;
        this.notifyDrained();
        this.dispatch();
      });
  }

  private timeOut(job: Job): void {
    if (job.done) return;
    const error = this.timeoutError();
    const index = this.queue.indexOf(job);
    if (index >= 0) {
      this.queue.splice(index, 1);
      this.options.metrics.queueDepth.set({ model: this.name }, this.queue.length);
      this.finish(job, error);
      this.notifyDrained();
      return;
    }
    this.finish(job, error);
    if (job.slot !== undefined) this.pool.killHung(job.slot, job.request.requestId);
  }

  private timeoutError(): ModelArchiveError {
    return new ModelArchiveError(ErrorCode.REQUEST_TIMEOUT, `Request timed out after ${this.settings.responseTimeout} ms.`);
  }

  private finish(job: Job, outcome: Answer | ModelArchiveError, cause?: string): void {
    if (job.done) return;
    job.done = true;
    clearTimeout(job.timer);
    this.options.metrics.torchserve.answered(this.name, this.version, Date.now() - job.enqueuedAt);
    if (outcome instanceof ModelArchiveError) {
      if (cause !== undefined) this.options.logger.warn('handler error', { model: this.name, requestId: job.request.requestId, errorCode: outcome.code, cause });
      job.reject(outcome);
    } else {
      job.resolve(outcome);
    }
  }

  private notifyDrained(): void {
    if (this.pending !== 0) return;
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }
}
