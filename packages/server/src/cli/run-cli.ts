import { fileURLToPath } from 'node:url';

import { isModelArchiveError } from '@model-archiver/core/read';

import { DAEMON_ENV, claimPidFile, releasePidFile, serverUrls, startDetached, stopDetached } from './daemon.js';
import type { DaemonStarted } from './daemon.js';
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
  /** `--start`: a detached server is running; `--stop`: the detached server has stopped. */
  | { kind: 'daemon-done' }
  /** `--start`/`--stop` failed: already running, not running, or the detached server did not start. */
  | { kind: 'daemon-failed'; error: unknown }
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
  if (settings.mode === 'start') {
    try {
      const { pid, addresses } = await startDetached({
        binPath: fileURLToPath(new URL('../bin.js', import.meta.url)),
        args: settings.serveArgs,
        pidFile: settings.pidFile,
        logFile: settings.logFile,
        timeoutMs: (settings.options.startupTimeout ?? 120_000) * Math.max(1, settings.options.models?.length ?? 0) + 30_000,
      });
      const urls = serverUrls(addresses);
      io.stdout.write(`model-server started (pid ${pid}): inference ${urls.inference}, management ${urls.management}, metrics ${urls.metrics}; log ${settings.logFile}\n`);
      return { kind: 'daemon-done' };
    } catch (error) {
      return { kind: 'daemon-failed', error };
    }
  }
  if (settings.mode === 'stop') {
    try {
      const pid = await stopDetached(settings.pidFile, (settings.options.shutdownTimeout ?? 30_000) + 10_000);
      io.stdout.write(`model-server stopped (pid ${pid})\n`);
      return { kind: 'daemon-done' };
    } catch (error) {
      return { kind: 'daemon-failed', error };
    }
  }
  if (settings.mode === 'foreground') {
    try {
      claimPidFile(settings.pidFile);
    } catch (error) {
      return { kind: 'daemon-failed', error };
    }
  }
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
    if (settings.mode === 'foreground') releasePidFile(settings.pidFile);
    return { kind: 'start-failed', error };
  }
  const running = server;
  if (settings.ignoredConfigKeys.length > 0) logger.warn('config.properties keys not used by model-server', { keys: settings.ignoredConfigKeys });
  if (process.env[DAEMON_ENV] === '1' && process.send !== undefined) {
    // The launcher may have given up waiting (its timeout); then there is no one to tell.
    process.send({ type: 'model-server-started', addresses: running.addresses } satisfies DaemonStarted, undefined, {}, () => undefined);
  }
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
  if (settings.mode === 'foreground') releasePidFile(settings.pidFile);
  return { kind: 'stopped' };
};
