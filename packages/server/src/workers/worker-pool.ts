import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import { isNodeBuiltinHandler, manifestModel, openArchive } from '@model-archiver/core/read';
import { isPythonHandler } from '@model-archiver/runtime/python';

import type { BuiltinPlacement } from '../builtin-placement.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';
import { limitAnswerSize } from './answer-size.js';
import type { ModelWorker, WorkerExit, WorkerStartOptions } from './model-worker.js';
import { MEMORY_CHECK_INTERVAL_MS, readResidentBytes } from './process-memory.js';
import { startWorker } from './python-worker-process.js';
import type { WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';
import { WorkerThread } from './worker-thread.js';

/** A place for one worker (process or thread): it survives the worker and restarts it. */
export interface WorkerSlot {
  readonly id: string;
  state: 'starting' | 'idle' | 'busy' | 'restarting' | 'stopping';
  process: ModelWorker | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** Batches sent to the process and not answered yet (at most {@link PIPELINE_DEPTH}). */
  running: Set<Promise<unknown>>;
  /** Set when a hung batch got the process killed (the restart reason). */
  killedForTimeout: boolean;
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  modelName: string;
  archivePath: string;
  batchSize: number;
  logger: Logger;
  metrics: ServerMetrics;
  env: NodeJS.ProcessEnv;
  startupTimeout: number;
  verifyIntegrity: boolean;
  allowUnverified: boolean;
  intraOpThreads: number;
  serverVersion: string;
  /** Python interpreter for archives with a Python handler (`--python`); default `$PYTHON`, else `python3`. */
  python?: string;
  /** Install a Python archive's requirements into its own virtual environment (`--install-requirements`). */
  installRequirements: boolean;
  /** Largest answer body (bytes) a handler may send; larger answers get `RESPONSE_TOO_LARGE`. */
  maxResponseSize: number;
  /** Resident memory (MiB) a worker may use before it is recycled; 0: no limit. */
  memoryLimit: number;
  /** Handler string replacing the manifest's (the `handler` register parameter). */
  handler?: string;
  /** Where trusted built-in handlers (`onnx`, `image_classifier`) run: the main thread, worker threads or processes. */
  builtinPlacement: BuiltinPlacement;
  /** Called whenever a worker becomes free to take a batch. */
  onIdle: () => void;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 30_000;
/** Batches a worker holds at once: one running, one waiting in the process. */
const PIPELINE_DEPTH = 2;
/** Longest wait for a running batch when a worker is retired (scale down, unregister, shutdown). */
const RETIRE_GRACE_MS = 30_000;
let nextWorkerId = 9000;

/**
 * The worker processes of one model. A process that exits or is killed while serving is restarted in its slot with
 * exponential backoff (250 ms doubling to 30 s, reset by the next successful batch); the cause is logged.
 */
export class WorkerPool {
  private readonly options: WorkerPoolOptions;
  private readonly slots: WorkerSlot[] = [];
  private failures = 0;
  private closed = false;
  /** Processes killed for going over the memory limit (their requests get `WORKER_MEMORY_LIMIT`). */
  private readonly overMemory = new WeakSet<ModelWorker>();
  private memoryTimer: NodeJS.Timeout | undefined;
  /** Where and in which language this model's workers run, decided once from the archive (see {@link planOf}). */
  private plan: Promise<WorkerPlan> | undefined;
  info: WireModelInfo | undefined;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    if (options.memoryLimit > 0 && process.platform !== 'linux') {
      options.logger.warn('memory limit not enforced: worker memory is read from /proc, which this system lacks', { model: options.modelName, platform: process.platform });
    } else if (options.memoryLimit > 0) {
      this.memoryTimer = setInterval(() => void this.checkMemory(), MEMORY_CHECK_INTERVAL_MS);
      this.memoryTimer.unref();
    }
  }

  /** Number of slots (running, starting or restarting). */
  get size(): number {
    return this.slots.length;
  }

  /** Workers able to take a batch now or after their current one. */
  get readyCount(): number {
    return this.slots.filter((slot) => slot.state === 'idle' || slot.state === 'busy').length;
  }

  /** Grows or shrinks to `count` slots; growing waits for the new workers and rejects with the first load error. */
  async scale(count: number): Promise<void> {
    const surplus = this.slots.filter((slot) => slot.state !== 'stopping').length - count;
    if (surplus > 0) {
      const victims = [...this.slots].filter((slot) => slot.state !== 'stopping').sort((a, b) => rank(a) - rank(b)).slice(0, surplus);
      await Promise.all(victims.map((slot) => this.retire(slot)));
      return;
    }
    const added = Array.from({ length: -surplus }, () => this.addSlot());
    const results = await Promise.allSettled(added.map((slot) => this.startSlot(slot)));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(added.map((slot) => this.retire(slot)));
      throw failed.reason;
    }
  }

  /**
   * A worker that can take a batch: an idle one first, else a busy one with room in its pipeline (the next batch then
   * waits inside the worker process instead of a round trip after the current one).
   */
  idleSlot(): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.slots) {
      if ((slot.state !== 'idle' && slot.state !== 'busy') || slot.running.size >= PIPELINE_DEPTH) continue;
      if (best === undefined || slot.running.size < best.running.size) best = slot;
    }
    return best;
  }

  /** Runs a batch on a free slot. */
  async run(slot: WorkerSlot, requests: WireRequest[]): Promise<WireResponse[]> {
    const worker = slot.process;
    if (worker === undefined) throw new Error('slot has no process');
    slot.state = 'busy';
    const running = worker.run(requests);
    slot.running.add(running);
    try {
      const responses = await running;
      this.failures = 0;
      return responses.map((response) => limitAnswerSize(response, this.options.maxResponseSize));
    } catch (error) {
      if (!this.overMemory.has(worker)) throw error;
      throw new ModelArchiveError(
        ErrorCode.WORKER_MEMORY_LIMIT,
        `The worker went over the memory limit of ${this.options.memoryLimit} MiB of model ${this.options.modelName} and was recycled.`,
        { cause: error, details: { memoryLimit: this.options.memoryLimit } },
      );
    } finally {
      slot.running.delete(running);
      if (slot.state === 'busy' && slot.process === worker) {
        if (slot.running.size === 0) slot.state = 'idle';
        queueMicrotask(() => this.options.onIdle());
      }
    }
  }

  /** Kills the process of a slot whose batch ran past its timeout; the slot restarts it. */
  killHung(slot: WorkerSlot, requestId: string): void {
    if (slot.process === undefined || slot.running.size === 0) return;
    this.options.logger.error('worker killed: a request ran past its timeout', { model: this.options.modelName, worker: slot.id, pid: slot.process.pid, requestId });
    slot.killedForTimeout = true;
    slot.process.kill();
  }

  /** The `workers` array of TorchServe's describe response. */
  describeWorkers(): Record<string, unknown>[] {
    return this.slots.map((slot) => ({
      id: slot.id,
      startTime: slot.process?.startTime.toISOString() ?? null,
      status: slot.state === 'idle' || slot.state === 'busy' ? 'READY' : slot.state === 'stopping' ? 'UNLOADING' : 'UNKNOWN',
      memoryUsage: 0,
      pid: slot.process?.pid ?? -1,
      gpu: false,
      gpuUsage: 'N/A',
    }));
  }

  /**
   * Reads the resident memory of each worker; one over the limit is killed (its requests get `WORKER_MEMORY_LIMIT`)
   * and restarted in its slot, with the cause logged and counted (`reason: memory`).
   */
  private async checkMemory(): Promise<void> {
    const limitBytes = this.options.memoryLimit * 1024 * 1024;
    for (const slot of this.slots) {
      const worker = slot.process;
      if (worker?.pid === undefined || worker.kind !== 'process' || !worker.alive || this.overMemory.has(worker)) continue;
      const resident = await readResidentBytes(worker.pid);
      if (resident === undefined || resident <= limitBytes || slot.process !== worker) continue;
      this.overMemory.add(worker);
      this.options.logger.error('worker recycled: over its memory limit', {
        model: this.options.modelName,
        worker: slot.id,
        pid: worker.pid,
        residentMiB: Math.round(resident / 1048576),
        memoryLimitMiB: this.options.memoryLimit,
        requests: slot.running.size,
      });
      worker.kill();
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.memoryTimer);
    await Promise.all([...this.slots].map((slot) => this.retire(slot)));
  }

  private addSlot(): WorkerSlot {
    const slot: WorkerSlot = { id: `${nextWorkerId++}`, state: 'starting', process: undefined, restartTimer: undefined, running: new Set(), killedForTimeout: false };
    this.slots.push(slot);
    return slot;
  }

  private async startSlot(slot: WorkerSlot): Promise<void> {
    slot.state = 'starting';
    let worker: ModelWorker | undefined = undefined;
    const began = Date.now();
    worker = await this.spawn(slot.id, (exit) => this.onExit(slot, worker, exit));
    this.options.metrics.torchserve.workerLoaded(`W-${slot.id}-${this.options.modelName}_${worker.info.version}`, Date.now() - began);
    this.info ??= worker.info;
    if (slot.state !== 'starting' || this.closed) {
      await worker.stop();
      return;
    }
    slot.process = worker;
    slot.state = 'idle';
    this.options.logger.info('worker ready', { model: this.options.modelName, worker: slot.id, kind: worker.kind, pid: worker.pid, handler: worker.info.handler });
    this.updateGauge();
    this.options.onIdle();
  }

  /**
   * Starts a worker: on a thread or the main thread (`builtinPlacement`) when the manifest names a built-in handler (and
   * the archive does not shadow it with a module of that name: the loaded handler must report itself as built-in, else
   * the model moves to processes for good), else a process.
   */
  private async spawn(id: string, onExit: (exit: WorkerExit) => void): Promise<ModelWorker> {
    const { modelName, archivePath, batchSize, verifyIntegrity, allowUnverified, serverVersion, intraOpThreads, python, installRequirements } = this.options;
    const start: WorkerStartOptions = {
      id,
      load: { archivePath, modelName, batchSize, verifyIntegrity, allowUnverified, serverVersion, intraOpThreads, ...(this.options.handler === undefined ? {} : { handler: this.options.handler }) },
      logger: this.options.logger,
      env: this.options.env,
      startupTimeout: this.options.startupTimeout,
      onExit,
    };
    // A memory limit is per process (a thread's memory is the server's), so a model with one runs in processes.
    const trusted = this.options.builtinPlacement !== 'process' && this.options.memoryLimit === 0 ? this.options.builtinPlacement : 'process';
    this.plan ??= planOf(archivePath, this.options.handler, trusted);
    const plan = await this.plan;
    // A Node worker process, or a Python one for a Python handler.
    const inProcess = (): Promise<ModelWorker> =>
      startWorker({ ...start, installRequirements, ...(python === undefined ? {} : { python }), ...(plan.python === undefined ? {} : { pythonHandler: plan.python }) });
    const { placement } = plan;
    if (placement === 'process') return inProcess();
    let shadowed = false;
    const guarded = { ...start, onExit: (exit: WorkerExit) => (shadowed ? undefined : onExit(exit)) };
    // The main-thread worker loads ONNX Runtime into the server process: imported only when a model runs there.
    const worker = placement === 'main' ? await (await import('./worker-in-process.js')).WorkerInProcess.start(guarded) : await WorkerThread.start(guarded);
    if (worker.info.handler.endsWith('(built-in)')) return worker;
    shadowed = true;
    this.plan = Promise.resolve({ ...plan, placement: 'process' });
    await worker.stop();
    return inProcess();
  }


  private onExit(slot: WorkerSlot, worker: ModelWorker | undefined, exit: WorkerExit): void {
    if (slot.process !== worker || worker === undefined) return;
    slot.process = undefined;
    this.updateGauge();
    if (slot.state === 'stopping' || this.closed) return;
    const reason = this.overMemory.has(worker) ? 'memory' : slot.killedForTimeout ? 'timeout' : 'exit';
    slot.killedForTimeout = false;
    this.options.metrics.workerRestarts.inc({ model: this.options.modelName, reason });
    this.options.logger.error('worker died', {
      model: this.options.modelName,
      worker: slot.id,
      pid: worker.pid,
      reason,
      exitCode: exit.code,
      signal: exit.signal,
      stderr: exit.stderrTail.join('\n'),
    });
    this.scheduleRestart(slot);
  }

  private scheduleRestart(slot: WorkerSlot): void {
    slot.state = 'restarting';
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.failures);
    this.failures += 1;
    this.options.logger.info('restarting worker', { model: this.options.modelName, worker: slot.id, delayMs: delay });
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (slot.state !== 'restarting' || this.closed) return;
      this.startSlot(slot).catch((error: unknown) => {
        this.options.logger.error('worker restart failed', { model: this.options.modelName, worker: slot.id, error });
        if (slot.state === 'starting' && !this.closed) this.scheduleRestart(slot);
      });
    }, delay);
  }

  private async retire(slot: WorkerSlot): Promise<void> {
    slot.state = 'stopping';
    clearTimeout(slot.restartTimer);
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    // A batch in progress finishes first (its callers get their answers), unless it hangs.
    if (slot.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, RETIRE_GRACE_MS)));
      await Promise.race([Promise.allSettled([...slot.running]), grace]);
      clearTimeout(timer);
    }
    const worker = slot.process;
    slot.process = undefined;
    this.updateGauge();
    await worker?.stop();
  }

  private updateGauge(): void {
    this.options.metrics.workers.set({ model: this.options.modelName }, this.slots.filter((slot) => slot.process !== undefined).length);
  }
}

/** Where a model's workers run ({@link planOf}). */
interface WorkerPlan {
  placement: BuiltinPlacement;
  /** The handler is a Python module (runtime's `isPythonHandler`); undefined when the archive could not be read. */
  python: boolean | undefined;
}

/**
 * Reads the archive's manifest and entry list once (nothing is extracted): `python` by the runtime's rule for a Python
 * handler (the `handler` register parameter, else the manifest's), and the placement: `trusted` (the main thread or a
 * worker thread, `process` when built-ins run in processes) when the handler is a built-in, `process` for anything
 * else. An unreadable archive leaves `python` undecided (the worker start reports what is wrong with it).
 */
const planOf = async (archivePath: string, override: string | undefined, trusted: BuiltinPlacement): Promise<WorkerPlan> => {
  try {
    const archive = await openArchive(archivePath);
    try {
      const manifest = await archive.readManifest();
      const handler = (override ?? manifestModel(manifest).handler).trim();
      // Candidate paths as the materialised folder would resolve them (`./x.py` is `x.py`).
      const has = (file: string): boolean => archive.entry(path.posix.normalize(file))?.type === 'file';
      const python = await isPythonHandler(handler, manifest.manifest['runtime'], has);
      return { placement: !python && isNodeBuiltinHandler(handler) ? trusted : 'process', python };
    } finally {
      await archive.close();
    }
  } catch {
    return { placement: override !== undefined && isNodeBuiltinHandler(override.trim()) ? trusted : 'process', python: undefined };
  }
};

/** Idle and broken slots go first when shrinking; busy ones last. */
const rank = (slot: WorkerSlot): number => ({ restarting: 0, starting: 1, idle: 2, busy: 3, stopping: 4 })[slot.state];
