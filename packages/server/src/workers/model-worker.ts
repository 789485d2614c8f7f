import type { Logger } from '../logger.js';
import type { WireLoad, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

/** How a worker ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the worker wrote to stderr (the usual place for the cause). */
  stderrTail: string[];
}

/** Options of `WorkerProcess.start`, `WorkerThread.start` and `WorkerInProcess.start`. */
export interface WorkerStartOptions {
  id: string;
  load: Omit<WireLoad, 'type'>;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  startupTimeout: number;
  /** Called once when the worker ends for any reason. */
  onExit: (exit: WorkerExit) => void;
}

/**
 * One worker seen from the server, a forked process (any handler), a worker thread or the server's main thread (trusted
 * built-in handlers): load, run batches, stop or kill.
 */
export interface ModelWorker {
  readonly id: string;
  readonly kind: 'process' | 'thread' | 'main';
  readonly startTime: Date;
  readonly info: WireModelInfo;
  /** Process id (the server's own for a thread). */
  readonly pid: number | undefined;
  /** True until the worker has ended. */
  readonly alive: boolean;
  /** Sends one batch and resolves with one answer per request. Rejects with `WORKER_DIED` if the worker ends first. */
  run(requests: WireRequest[]): Promise<WireResponse[]>;
  /** Asks the worker to close its model and end; kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Ends the worker at once (a hung handler). */
  kill(): void;
}

