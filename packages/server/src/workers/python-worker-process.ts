/**
 * A worker process running a Python handler (MMS/TorchServe-style archives), with the surface of {@link WorkerProcess}
 * so that the pool starts, feeds, restarts and kills it the same way. The process is the runtime's Python worker
 * (`@model-archiver/runtime/python`): batches of {@link WireRequest} go over length-prefixed frames unchanged, and its
 * answers are {@link WireResponse}s.
 */
import { PythonWorker, defaultCacheDir, preparePythonTarget, pythonForTarget } from '@model-archiver/runtime/python';
import type { PythonRequest, PythonResponse, PythonTarget } from '@model-archiver/runtime/python';

import type { ModelWorker, WorkerStartOptions } from './model-worker.js';
import { WorkerProcess } from './worker-process.js';
import type { WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

// The wire shapes are the Python worker's: checked here, at compile time.
const asPythonRequests = (requests: WireRequest[]): PythonRequest[] => requests;
const asWireResponses = (responses: PythonResponse[]): WireResponse[] => responses;

/** Model folders whose requirements file was already reported (once per server process). */
const reportedRequirements = new Set<string>();

/** Options of {@link PythonWorkerProcess.start}. */
export interface PythonWorkerStartOptions extends WorkerStartOptions {
  target: PythonTarget;
  /** Interpreter (`--python`); default `$PYTHON`, else `python3` on the PATH. */
  python?: string;
  /** Install the archive's requirements into its own virtual environment (else only log them). */
  installRequirements: boolean;
}

/** One Python worker process seen from the server. */
export class PythonWorkerProcess implements ModelWorker {
  readonly id: string;
  readonly kind = 'process';
  readonly startTime: Date;
  readonly info: WireModelInfo;
  private readonly worker: PythonWorker;

  private constructor(id: string, worker: PythonWorker, info: WireModelInfo) {
    this.id = id;
    this.worker = worker;
    this.startTime = worker.startTime;
    this.info = info;
  }

  /** Starts the Python worker and waits until its handler is loaded. Rejects with the load error. */
  static async start(options: PythonWorkerStartOptions): Promise<PythonWorkerProcess> {
    const { target, logger, load } = options;
    const fields = { model: target.name, worker: options.id };
    const python = await pythonForTarget(target, {
      ...(options.python === undefined ? {} : { python: options.python }),
      env: options.env,
      installRequirements: options.installRequirements,
      cacheDir: defaultCacheDir(options.env),
      onInstall: () => logger.info('preparing the Python environment of the model (built once, then reused)', { ...fields, requirements: target.requirements }),
      warn: (notice) => {
        if (reportedRequirements.has(target.modelDir)) return;
        reportedRequirements.add(target.modelDir);
        logger.warn(notice, fields);
      },
    });
    let pid: number | undefined;
    const worker = await PythonWorker.start({
      target,
      ...(python === undefined ? {} : { python }),
      env: options.env,
      batchSize: load.batchSize,
      gpuId: null,
      serverVersion: load.serverVersion,
      startupTimeout: options.startupTimeout,
      onStderr: (line) => logger.info(line, { ...fields, pid, stream: 'stderr' }),
      onExit: (exit) => options.onExit(exit),
    });
    pid = worker.pid;
    logger.info('python worker ready', { ...fields, pid, python: worker.python.version, executable: worker.python.executable, entry: worker.entry });
    return new PythonWorkerProcess(options.id, worker, { name: target.name, version: target.version, manifest: target.manifest, inputs: [], outputs: [], handler: `${target.handler} (python)` });
  }

  /** Process id. */
  get pid(): number | undefined {
    return this.worker.pid;
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return this.worker.alive;
  }

  /** Sends one batch and resolves with one answer per request. Rejects with `WORKER_DIED` if the process ends first. */
  async run(requests: WireRequest[]): Promise<WireResponse[]> {
    return asWireResponses(await this.worker.run(asPythonRequests(requests)));
  }

  /** Asks the worker to exit; kills it after `graceMs`. */
  stop(graceMs = 5000): Promise<void> {
    return this.worker.stop(graceMs);
  }

  /** Ends the process at once (a hung handler). */
  kill(): void {
    this.worker.kill();
  }
}

/** A worker process of either kind. */
export type PoolWorker = WorkerProcess | PythonWorkerProcess;

/**
 * Starts the right kind of worker for an archive: a Python worker when `pythonHandler` (the pool's once-per-model
 * decision, see `isPythonHandler`) says its handler is a Python module, else a Node worker. Only a Python handler's
 * archive is materialised here (into the cache a Node worker with this environment also uses); a Node worker
 * materialises its own. `pythonHandler` undefined (the pool could not read the archive): decided here on the
 * materialised archive, which also reports what is wrong with it.
 */
export const startWorker = async (options: WorkerStartOptions & { python?: string; installRequirements: boolean; pythonHandler?: boolean }): Promise<PoolWorker> => {
  if (options.pythonHandler === false) return WorkerProcess.start(options);
  const target = await preparePythonTarget(options.load.archivePath, {
    ...(options.load.modelName === '' ? {} : { modelName: options.load.modelName }),
    ...(options.load.handler === undefined ? {} : { handler: options.load.handler }),
    // The cache a Node worker with this environment uses: it then finds the archive already there.
    cacheDir: defaultCacheDir(options.env),
    verifyIntegrity: options.load.verifyIntegrity,
    allowUnverified: options.load.allowUnverified,
  });
  if (target === undefined) return WorkerProcess.start(options);
  return PythonWorkerProcess.start({ ...options, target, ...(options.python === undefined ? {} : { python: options.python }) });
};
