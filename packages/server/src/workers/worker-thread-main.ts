/**
 * Entry point of a worker thread (started by the server for trusted built-in handlers, one model per thread). Messages
 * are cloned in memory, and the buffers of request and response bodies are transferred, not copied. A hung thread is
 * ended with `Worker.terminate()`. The work itself is in `worker-loop.ts`.
 */
import { parentPort } from 'node:worker_threads';

import { createWorkerLoop } from './worker-loop.js';
import type { ToWorker } from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('worker-thread-main runs only as a worker thread');

const onMessage = createWorkerLoop(
  {
    send: (message, transfer) => port.postMessage(message, transfer ?? []),
    end: () => port.close(),
  },
  (text) => process.stderr.write(`${text}\n`),
);
port.on('message', (message: ToWorker) => onMessage(message));
