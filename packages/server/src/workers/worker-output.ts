import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

import type { LogFields, Logger } from '../logger.js';

/** Lines kept of a worker's stderr. */
export const STDERR_TAIL_LINES = 20;

/**
 * Logs what a worker (process or thread) prints, line by line with `fields`: stdout at info, stderr at warn. Returns
 * the last {@link STDERR_TAIL_LINES} stderr lines, kept up to date, for the report of the worker's exit.
 */
export const forwardWorkerOutput = (output: { stdout: Readable | null; stderr: Readable | null }, logger: Logger, fields: LogFields): string[] => {
  const stderrTail: string[] = [];
  if (output.stdout !== null) createInterface({ input: output.stdout }).on('line', (line) => logger.info(line, { ...fields, stream: 'stdout' }));
  if (output.stderr !== null) {
    createInterface({ input: output.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      logger.warn(line, { ...fields, stream: 'stderr' });
    });
  }
  return stderrTail;
};
