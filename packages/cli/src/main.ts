import { setMaxListeners } from 'node:events';

import { isModelArchiveError, ModelArchiveError } from '@model-archiver/core/read';
import yargs from 'yargs';

import { ExitCode } from './exit-codes.js';
import type { CliIo, CommandContext } from './io.js';
import { renderError } from './render-error.js';
import { commandModules } from './commands/index.js';
import { COMMAND_NAMES } from './command-names.js';
import { answerVersion, helpWidth, wantsJson } from './fast-path.js';
import { unknownCommand, unknownFlags, usageErrorText, VERSION_HINT } from './usage-hints.js';
import { VERSION } from './version.js';

/** The command that prints a shell completion script (yargs' own; listed in COMMAND_NAMES). */
const COMPLETION_COMMAND = 'completion';

/** A command-line mistake (unknown command or flag, missing required flag, bad choice): exit code 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** `--version`/`-v` given with no value where it cannot be the model version. */
const bareVersionFlag = (argv: readonly string[]): boolean =>
  argv.some((a) => a === '--version' || a === '-v' || a === '--model-version');

/** The real process as a {@link CliIo}. */
export function processIo(signal: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env, signal };
}

/** `model-archiver completion`: yargs' bash/zsh completion script, which calls back `--get-yargs-completions`. */
async function printCompletionScript(io: CliIo): Promise<number> {
  await yargs()
    .scriptName('model-archiver')
    .completion(COMPLETION_COMMAND)
    .exitProcess(false)
    .parseAsync([COMPLETION_COMMAND], {}, (_error, _argv, output) => {
      io.stdout.write(`${output}\n`);
    });
  return ExitCode.OK;
}

/**
 * Runs `model-archiver` with the given arguments and returns the exit code. Never calls `process.exit`.
 * With no `io`, uses the real process and turns SIGINT/SIGTERM into an abort (nothing half-made is left behind).
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  // `model-archiver --version` alone: torch-model-archiver users mean the model version, others the tool's; say both.
  if (answerVersion(argv, io ?? { stdout: process.stdout, stderr: process.stderr })) return ExitCode.OK;
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
  const json = wantsJson(argv);
  const modules = commandModules.map((make) => make(context));
  let usage: UsageError | undefined;
  try {
    // yargs prints the script and then still runs the default command (create): ask a parser without it.
    if (argv[0] === COMPLETION_COMMAND && !argv.includes('--help')) return await printCompletionScript(cliIo);
    const unknown = unknownCommand(argv, COMMAND_NAMES);
    if (unknown !== undefined) throw new UsageError(unknown.message, unknown.details);
    let parser = yargs()
      .scriptName('model-archiver')
      .usage('$0 [create flags]  |  $0 <command> [options]')
      // `-v/--version` is the model version (as in torch-model-archiver); the tool's version is -V/--tool-version.
      .version('tool-version', 'Show the version of model-archiver', VERSION)
      .alias('V', 'tool-version')
      .help()
      .alias('h', 'help')
      .completion(COMPLETION_COMMAND, 'Print a bash/zsh completion script (model-archiver completion >> ~/.bashrc)')
      .strict()
      .exitProcess(false)
      .wrap(helpWidth(cliIo.stdout.columns))
      .fail((message, error, usageInstance) => {
        if (error) throw error;
        // Throw, not record: with exitProcess(false) yargs would otherwise still run the command's handler.
        const known = Object.keys((usageInstance as unknown as { getDescriptions(): Record<string, unknown> }).getDescriptions());
        const flags = unknownFlags(message, known, argv);
        if (flags !== undefined) throw new UsageError(flags.message, flags.details);
        const hint = bareVersionFlag(argv) && /Missing required|Not enough arguments/.test(message) ? ` (${VERSION_HINT})` : '';
        throw new UsageError(`${message}${hint}`);
      });
    for (const module of modules) parser = parser.command(module);
    // With a parse callback yargs hands --help/--tool-version/completion text back instead of using console.log.
    await parser.parseAsync([...argv], {}, (_error, _argv, output) => {
      if (output !== '') cliIo.stdout.write(`${output}\n`);
    });
  } catch (error) {
    if (!(error instanceof UsageError)) {
      // ABORTED exits 130 (SIGINT); SIGTERM keeps the shell's convention, 143.
      const terminated = received === 'SIGTERM' && isModelArchiveError(error) && error.code === 'ABORTED';
      return renderError(error, cliIo, json, terminated ? ExitCode.TERMINATED : undefined);
    }
    usage = error;
  } finally {
    if (io === undefined) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
  if (usage !== undefined) {
    if (json) return renderError(new ModelArchiveError('INVALID_OPTION', usage.message, { details: usage.details }), cliIo, true);
    cliIo.stderr.write(usageErrorText(usage.message));
    return ExitCode.USAGE;
  }
  return exitCode;
}
