import { isModelArchiveError } from '@model-archiver/core';

import { parseCli } from './cli.js';
import { createLogger } from './logger.js';
import { startServer } from './model-server.js';
import { SERVER_VERSION } from './version.js';

/**
 * Runs `model-server` in the foreground until SIGTERM or SIGINT, then shuts down gracefully. Returns the exit code:
 * 0 after a clean shutdown, 2 for bad flags, 1 when the start failed (the cause is logged).
 */
export const runServerCli = async (argv: readonly string[]): Promise<number> => {
  let settings;
  try {
    settings = await parseCli(argv, SERVER_VERSION, (text) => process.stdout.write(`${text}\n`));
  } catch (error) {
    process.stderr.write(`model-server: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (settings === undefined) return 0;
  const logger = createLogger({ stream: process.stdout, format: settings.logFormat, level: settings.logLevel });
  let server;
  try {
    server = await startServer({ ...settings.options, logger });
  } catch (error) {
    logger.error('model server failed to start', {
      errorCode: isModelArchiveError(error) ? error.code : 'INTERNAL',
      error,
      cause: error instanceof Error && error.cause !== undefined ? String(error.cause) : undefined,
    });
    return 1;
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
  return 0;
};
