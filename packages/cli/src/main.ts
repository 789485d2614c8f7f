import yargs from 'yargs';

import { ExitCode } from './exit-codes.js';
import type { CliIo, CommandContext } from './io.js';
import { renderError } from './render-error.js';
import { commandModules } from './commands/index.js';
import { VERSION } from './version.js';

/** The real process as a {@link CliIo}. */
export function processIo(signal: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, signal };
}

/**
 * Runs `model-archiver` with the given arguments and returns the exit code. Never calls `process.exit`.
 * With no `io`, uses the real process and turns SIGINT/SIGTERM into an abort (nothing half-made is left behind).
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
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
  const json = argv.includes('--json') || argv.some((a) => a === '--format=json');
  let usageError: string | undefined;
  try {
    let parser = yargs([...argv])
      .scriptName('model-archiver')
      .usage('$0 [create flags]  |  $0 <command> [options]')
      .version(VERSION)
      .help()
      .alias('h', 'help')
      .strict()
      .exitProcess(false)
      .wrap(Math.min(120, cliIo.stdout.columns ?? 100))
      .fail((message, error) => {
        if (error) throw error;
        usageError = message;
      });
    for (const make of commandModules) parser = parser.command(make(context));
    await parser.parseAsync();
  } catch (error) {
    return renderError(error, cliIo, json);
  } finally {
    if (io === undefined) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
  if (usageError !== undefined) {
    cliIo.stderr.write(`model-archiver: usage error: ${usageError}\nRun 'model-archiver --help' for the list of options.\n`);
    return ExitCode.USAGE;
  }
  return exitCode;
}
