import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Files at least this big are hashed on a worker thread when stored (below it, the thread start costs more). */
export const WORKER_HASH_MIN_SIZE = 64 * 1024 * 1024;

// CommonJS source run with `eval: true`, so it works the same from `src/` (tests) and `dist/`.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const buffers = workerData.buffers.map((shared) => Buffer.from(shared));
const hash = createHash('sha256');
parentPort.on('message', (message) => {
  if (message.digest) {
    parentPort.postMessage({ digest: hash.digest('hex') });
    return;
  }
  hash.update(buffers[message.index].subarray(0, message.length));
  parentPort.postMessage({ index: message.index });
});
`;

/**
 * SHA-256 of a stream of chunks computed on a worker thread, over buffers shared with it (no copies), so that the
 * main thread can compute the CRC-32 and drive the I/O meanwhile. Chunks are hashed in the order they are sent;
 * the caller must not refill a buffer before the promise returned by {@link update} for it has resolved.
 */
export class WorkerSha256 {
  /** The shared buffers to read into. */
  readonly buffers: Buffer[];
  private readonly worker: Worker;
  private readonly waiting: { resolve: (value: string | undefined) => void; reject: (error: unknown) => void }[] = [];
  private failure: unknown;

  constructor(count: number, size: number) {
    const shared = Array.from({ length: count }, () => new SharedArrayBuffer(size));
    this.buffers = shared.map((buffer) => Buffer.from(buffer));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { buffers: shared } });
    this.worker.on('message', (message: { index?: number; digest?: string }) => this.waiting.shift()?.resolve(message.digest));
    const fail = (error: unknown): void => {
      this.failure ??= error;
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', () => fail(new Error('SHA-256 worker exited')));
  }

  /** Hashes `buffers[index]` up to `length`; resolves once the buffer may be reused. */
  update(index: number, length: number): Promise<void> {
    return this.request({ index, length }).then(() => undefined);
  }

  /** The hex digest of everything hashed so far (after all updates). */
  async digest(): Promise<string> {
    return (await this.request({ digest: true })) ?? '';
  }

  /** Stops the worker; never throws. */
  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    await this.worker.terminate().catch(() => undefined);
  }

  private request(message: object): Promise<string | undefined> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }
}

/** The same interface computed on the calling thread, for files too small to pay for a worker. */
export class InlineSha256 {
  readonly buffers: Buffer[];
  private readonly hash = createHash('sha256');

  constructor(buffers: Buffer[]) {
    this.buffers = buffers;
  }

  update(index: number, length: number): Promise<void> {
    this.hash.update(this.buffers[index]!.subarray(0, length));
    return Promise.resolve();
  }

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
