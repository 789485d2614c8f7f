import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { WorkerExit } from './model-worker.js';
import type { WireResponse } from './worker-protocol.js';

/**
 * The batches a worker (process, thread or main thread) has been sent and has not answered: their ids, the promises
 * `run()` returned, and the `WORKER_DIED` they get when the worker ends first.
 */
export class PendingBatches {
  private readonly entries = new Map<number, { resolve: (responses: WireResponse[]) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  /** Batches sent and not answered (after {@link rejectAll} without {@link clear}, also the failed ones still inside). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Sends one batch with a new id (`post`) and resolves with the worker's answers; rejects at once with `WORKER_DIED`
   * when the worker is gone (`alive` false).
   */
  send(alive: boolean, post: (id: number) => void): Promise<WireResponse[]> {
    if (!alive) return Promise.reject(new ModelArchiveError(ErrorCode.WORKER_DIED, 'The worker is gone.'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.entries.set(id, { resolve, reject });
      post(id);
    });
  }

  /** The worker's answers to batch `id` (ignored for an unknown id). */
  settle(id: number, responses: WireResponse[]): void {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    entry?.resolve(responses);
  }

  /**
   * Fails every batch not answered with `WORKER_DIED`, naming how the worker ended: its exit code, else its signal
   * when `nameSignal` (a process), else "killed". The ids stay until {@link clear} or their answers arrive.
   */
  rejectAll(exit: WorkerExit, nameSignal: boolean): void {
    const cause = exit.signal === null ? `exit code ${exit.code}` : nameSignal ? `signal ${exit.signal}` : 'killed';
    for (const entry of this.entries.values()) {
      entry.reject(
        new ModelArchiveError(ErrorCode.WORKER_DIED, `The worker died while handling the request (${cause}).`, {
          details: { exitCode: exit.code, signal: exit.signal },
        }),
      );
    }
  }

  /** Forgets every batch (the worker is gone and no answer can arrive). */
  clear(): void {
    this.entries.clear();
  }
}
