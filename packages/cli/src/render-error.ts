import { isModelArchiveError } from '@model-archiver/core/read';

import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';

/**
 * Prints an error (text or `--json`) and returns the exit code for it (`exitCode` overrides the code's own, e.g. 143
 * for `ABORTED` by SIGTERM). Unknown errors are bugs: stack + exit 70.
 */
export function renderError(error: unknown, io: CliIo, json: boolean, exitCodeOverride?: number): number {
  if (isModelArchiveError(error)) {
    const exitCode = exitCodeOverride ?? exitCodeFor[error.code];
    if (json) {
      io.stdout.write(`${JSON.stringify({ ok: false, error: error.toJSON(), exitCode }, null, 2)}\n`);
    } else {
      io.stderr.write(`model-archiver: error ${error.code}: ${error.message}\n`);
      const cause = error.cause instanceof Error ? error.cause : undefined;
      if (cause !== undefined && io.env.MODEL_ARCHIVER_DEBUG) io.stderr.write(`${cause.stack ?? cause.message}\n`);
    }
    return exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  if (json) {
    io.stdout.write(
      `${JSON.stringify({ ok: false, error: { code: 'INTERNAL', message: err.message, details: {} }, exitCode: ExitCode.INTERNAL }, null, 2)}\n`,
    );
  }
  io.stderr.write(
    `model-archiver: internal error INTERNAL: ${err.message}\n${err.stack ?? ''}\nThis is a bug; please report it with the command you ran.\n`,
  );
  return ExitCode.INTERNAL;
}
