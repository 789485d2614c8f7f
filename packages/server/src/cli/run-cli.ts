import { isModelArchiveError } from '@model-archiver/core/read';

import { parseCli } from './parse-cli.js';
import { createLogger } from '../logger.js';
import { startServer } from '../model-server.js';
import { SERVER_VERSION } from '../version.js';

/** How a `model-server` run ended; `bin.ts` turns it into the exit code (docs/server.md). */
export type ServerCliOutcome =
  /** `--help` or `--version` answered. */
  | { kind: 'answered' }
  /** Served until SIGTERM or SIGINT, then shut down. */
  | { kind: 'stopped' }
  /** Bad flags: nothing was started. */
  | { kind: 'usage-error'; error: unknown }
  /** The start failed (a model did not load, a port was taken); the cause was logged. */
  | { kind: 'start-failed'; error: unknown };

/** Where the command line writes: help and version text, and the log. */
export interface ServerCliIo {
  stdout: NodeJS.WritableStream;
}

/** Runs `model-server` in the foreground until SIGTERM or SIGINT, then shuts down gracefully. */
export const runServerCli = async (argv: readonly string[], io: ServerCliIo): Promise<ServerCliOutcome> => {
  let settings;
  try {
    settings = await parseCli(argv, SERVER_VERSION, (text) => io.stdout.write(`${text}\n`));
  } catch (error) {
    return { kind: 'usage-error', error };
  }
  if (settings === undefined) return { kind: 'answered' };
  const logger = createLogger({ stream: io.stdout, format: settings.logFormat, level: settings.logLevel });
  let server;
  try {
    server = await startServer({ ...settings.options, logger });
  } catch (error) {
    logger.error('model server failed to start', {
      errorCode: isModelArchiveError(error) ? error.code : 'INTERNAL',
      error,
      cause: error instanceof Error && error.cause !== undefined ? String(error.cause) : undefined,
    });
    return { kind: 'start-failed', error };
  }
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info('signal received', { signal });
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      running.close().then(resolve, (error: unknown) => {
        logger.error('shutdown failed', { error });
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return { kind: 'stopped' };
};
