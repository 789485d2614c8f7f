/**
 * Entry point of a worker process (forked by the server, one model per process), for handlers that are not trusted
 * built-ins: a handler that throws costs its batch; one that hangs or exits costs this process, which the server
 * restarts. The work itself is in `worker-loop.ts`.
 */
import { tuneGarbageCollector } from '../gc-tuning.js';
import { createWorkerLoop } from './worker-loop.js';
import type { ToWorker } from './worker-protocol.js';

tuneGarbageCollector();
const onMessage = createWorkerLoop(
  {
    // Node IPC (`serialization: 'advanced'`) copies byte arrays; nothing can move between processes.
    send: (message) => process.send?.(message),
    end: () => process.disconnect?.(),
  },
  (text) => process.stderr.write(`${text}\n`),
);

process.on('message', (message: ToWorker) => onMessage(message));
// Ctrl-C in a terminal signals the whole process group: the server drains and then stops its workers itself.
process.on('SIGINT', () => {});
// The server going away (crash, SIGKILL) must not leave orphan workers behind.
process.on('disconnect', () => {
  process.exitCode = 0;
  setTimeout(() => process.exit(), 1000).unref();
});
