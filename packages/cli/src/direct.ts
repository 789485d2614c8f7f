import { INSPECT_TABLE, runInspect } from './commands/inspect.js';
import { LINT_TABLE, runLint } from './commands/lint.js';
import { runVerify, VERIFY_TABLE } from './commands/verify.js';
import type { DirectCommandName } from './command-names.js';
import type { FlagsOf, OptionTable } from './commands/option-table.js';
import { parseDirectArgs, unknownFlagsProblem } from './direct-args.js';
import { wantsJson } from './fast-path.js';
import type { CliIo, CommandContext } from './io.js';
import { reportUsageProblem, runCommand } from './run-command.js';

/** A parsed command line of the direct path, ready to run: the exit code it decides, or undefined for the context's. */
type DirectRun = (context: CommandContext, json: boolean) => Promise<number | undefined>;

/**
 * The direct path's run of one command: the command itself when {@link parseDirectArgs} takes the command line (and
 * `accepts` its flags), the usage error `main()` prints when its only mistake is flags the command does not know
 * ({@link unknownFlagsOf}), else undefined.
 */
function planRun<T extends OptionTable>(
  command: DirectCommandName,
  table: T,
  args: readonly string[],
  run: (flags: FlagsOf<T>, context: CommandContext) => Promise<void>,
  accepts: (flags: FlagsOf<T>) => boolean = () => true,
): DirectRun | undefined {
  const flags = parseDirectArgs(table, args);
  if (flags !== undefined) {
    return accepts(flags)
      ? async (context) => {
          await run(flags, context);
          return undefined;
        }
      : undefined;
  }
  const problem = unknownFlagsProblem(command, table, args);
  return problem === undefined ? undefined : async (context, json) => reportUsageProblem(problem, context.io, json);
}

/**
 * Each command the direct path runs, from its arguments (after the command name), or undefined when they are not the
 * direct path's to answer. `lint --load` needs the runtime: left to `main()`.
 */
const DIRECT_COMMANDS: Readonly<Record<DirectCommandName, (args: readonly string[]) => DirectRun | undefined>> = {
  inspect: (args) => planRun('inspect', INSPECT_TABLE, args, runInspect),
  verify: (args) => planRun('verify', VERIFY_TABLE, args, runVerify),
  lint: (args) => planRun('lint', LINT_TABLE, args, runLint, (flags) => !flags.load),
};

/** The direct path's run for a command line, or undefined when `main()` must answer it. */
export function directRun(argv: readonly string[]): DirectRun | undefined {
  const [command, ...args] = argv;
  return command !== undefined && Object.hasOwn(DIRECT_COMMANDS, command) ? DIRECT_COMMANDS[command as DirectCommandName](args) : undefined;
}

/**
 * The direct path: runs `inspect`, `verify` and `lint` command lines without yargs (which a fresh process pays for in
 * loading, building the parser and rendering help), with the same command code, error rendering and exit codes as
 * `main()` (`runCommand`). Returns the exit code, or undefined, having done nothing, for a command line it leaves to
 * `main()` (see `parseDirectArgs`). With no `io`, uses the real process, as `main()` does.
 */
export async function runDirect(argv: readonly string[], io?: CliIo): Promise<number | undefined> {
  const run = directRun(argv);
  if (run === undefined) return undefined;
  const json = wantsJson(argv);
  return runCommand(json, io, (context) => run(context, json));
}
