import { setMaxListeners } from 'node:events';

import { isModelArchiveError, ModelArchiveError } from '@model-archiver/core/read';

import { ExitCode } from './exit-codes.js';
import type { CliIo, CommandContext } from './io.js';
import { renderError } from './render-error.js';
import { usageErrorText, type UsageProblem } from './usage-hints.js';

/** The real process as a {@link CliIo}. */
export function processIo(signal: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, signal };
}

/**
 * Prints a usage mistake found before a command runs (an unknown command or flag, a missing argument): with `json`,
 * an `INVALID_OPTION` error document on stdout (exit 2), else the usage error on stderr (exit 2).
 */
export function reportUsageProblem(problem: UsageProblem, io: CliIo, json: boolean): number {
  if (json) return renderError(new ModelArchiveError('INVALID_OPTION', problem.message, { details: problem.details }), io, true);
  io.stderr.write(usageErrorText(problem.message));
  return ExitCode.USAGE;
}

/**
 * What every way of running a command line does around the command itself (`main()` with yargs, and the direct path
 * of `direct.ts`): gives `work` a {@link CommandContext}, turns an error it throws into the printed error and its exit
 * code (`renderError`, a JSON document when `json`), and returns the exit code `work` returns, else the highest one it
 * set. With no `io`, uses the real process and turns SIGINT/SIGTERM into an abort of `context.io.signal` (nothing
 * half-made is left behind): `ABORTED` exits 130, or 143 after SIGTERM.
 */
export async function runCommand(json: boolean, io: CliIo | undefined, work: (context: CommandContext) => Promise<number | undefined>): Promise<number> {
  const controller = new AbortController();
  // Every stream in flight listens to it (lint --verify: archives × entries at once): not a leak.
  setMaxListeners(256, controller.signal);
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    received = signal;
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  if (io === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const cliIo = io ?? processIo(controller.signal);
  let exitCode: number = ExitCode.OK;
  const context: CommandContext = {
    io: cliIo,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  try {
    return (await work(context)) ?? exitCode;
  } catch (error) {
    // ABORTED exits 130 (SIGINT); SIGTERM keeps the shell's convention, 143.
    const terminated = received === 'SIGTERM' && isModelArchiveError(error) && error.code === 'ABORTED';
    return renderError(error, cliIo, json, terminated ? ExitCode.TERMINATED : undefined);
  } finally {
    if (io === undefined) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
}
