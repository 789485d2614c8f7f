import yargs from 'yargs';
import type { Argv, CommandModule } from 'yargs';

import { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { reportUsageProblem, runCommand } from './run-command.js';
import { commandModules } from './commands/index.js';
import { COMMAND_NAMES } from './command-names.js';
import { answerVersion, helpWidth, wantsJson } from './fast-path.js';
import { unknownCommand, unknownFlags, VERSION_HINT } from './usage-hints.js';
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
 * The yargs parser of `model-archiver` with the given command modules: strict, with usage mistakes thrown as
 * {@link UsageError}, wrapped at `width` columns. `argv` is the command line it will parse (unknown flags are named
 * from it).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function commandParser(modules: readonly CommandModule<any, any>[], argv: readonly string[], width: number): Argv {
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
    .wrap(width)
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
  return parser;
}

/**
 * Runs `model-archiver` with the given arguments and returns the exit code. Never calls `process.exit`.
 * With no `io`, uses the real process and turns SIGINT/SIGTERM into an abort (nothing half-made is left behind).
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  // `model-archiver --version` alone: torch-model-archiver users mean the model version, others the tool's; say both.
  if (answerVersion(argv, io ?? { stdout: process.stdout, stderr: process.stderr })) return ExitCode.OK;
  const json = wantsJson(argv);
  return runCommand(json, io, async (context) => {
    const cliIo = context.io;
    try {
      // yargs prints the script and then still runs the default command (create): ask a parser without it.
      if (argv[0] === COMPLETION_COMMAND && !argv.includes('--help')) return await printCompletionScript(cliIo);
      const unknown = unknownCommand(argv, COMMAND_NAMES);
      if (unknown !== undefined) throw new UsageError(unknown.message, unknown.details);
      const parser = commandParser(
        commandModules.map((make) => make(context)),
        argv,
        helpWidth(cliIo.stdout.columns),
      );
      // With a parse callback yargs hands --help/--tool-version/completion text back instead of using console.log.
      await parser.parseAsync([...argv], {}, (_error, _argv, output) => {
        if (output !== '') cliIo.stdout.write(`${output}\n`);
      });
      return undefined;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return reportUsageProblem({ message: error.message, details: error.details }, cliIo, json);
    }
  });
}
