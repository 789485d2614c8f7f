import { ModelArchiveError } from '@model-archiver/core/read';
import yargs from 'yargs';

import { ExitCode } from './exit-codes.js';
import type { CliIo, CommandContext } from './io.js';
import { renderError } from './render-error.js';
import { commandModules } from './commands/index.js';
import { VERSION } from './version.js';

/** A command-line mistake reported by yargs (unknown flag, missing required flag, bad choice): exit code 2. */
class UsageError extends Error {}

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
    let parser = yargs()
      .scriptName('model-archiver')
      .usage('$0 [create flags]  |  $0 <command> [options]')
      // `-v/--version` is the model version (as in torch-model-archiver); the tool's version is --tool-version.
      .version('tool-version', 'Show the version of model-archiver', VERSION)
      .help()
      .alias('h', 'help')
      .strict()
      .exitProcess(false)
      .wrap(Math.min(120, cliIo.stdout.columns ?? 100))
      .fail((message, error) => {
        if (error) throw error;
        // Throw, not record: with exitProcess(false) yargs would otherwise still run the command's handler.
        throw new UsageError(message);
      });
    for (const make of commandModules) parser = parser.command(make(context));
    // With a parse callback yargs hands --help/--tool-version text back instead of printing it with console.log.
    await parser.parseAsync([...argv], {}, (_error, _argv, output) => {
      if (output !== '') cliIo.stdout.write(`${output}\n`);
    });
  } catch (error) {
    if (!(error instanceof UsageError)) return renderError(error, cliIo, json);
    usageError = error.message;
  } finally {
    if (io === undefined) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
  if (usageError !== undefined) {
    if (json) return renderError(new ModelArchiveError('INVALID_OPTION', usageError), cliIo, true);
    cliIo.stderr.write(`model-archiver: usage error: ${usageError}\nRun 'model-archiver --help' for the list of options.\n`);
    return ExitCode.USAGE;
  }
  return exitCode;
}
