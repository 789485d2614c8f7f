import { INSPECT_TABLE, runInspect } from './commands/inspect.js';
import { LINT_TABLE, runLint } from './commands/lint.js';
import { runVerify, VERIFY_TABLE } from './commands/verify.js';
import type { DirectCommandName } from './command-names.js';
import { parseDirectArgs } from './direct-args.js';
import { wantsJson } from './fast-path.js';
import type { CliIo, CommandContext } from './io.js';
import { runCommand } from './run-command.js';

/** A parsed command line of the direct path, ready to run. */
type DirectRun = (context: CommandContext) => Promise<void>;

/**
 * Each command the direct path runs: its arguments (after the command name) parsed with the command's option table,
 * or undefined when they are not the direct path's to answer. `lint --load` needs the runtime: left to `main()`.
 */
const DIRECT_COMMANDS: Readonly<Record<DirectCommandName, (args: readonly string[]) => DirectRun | undefined>> = {
  inspect: (args) => {
    const flags = parseDirectArgs(INSPECT_TABLE, args);
    return flags === undefined ? undefined : (context) => runInspect(flags, context);
  },
  verify: (args) => {
    const flags = parseDirectArgs(VERIFY_TABLE, args);
    return flags === undefined ? undefined : (context) => runVerify(flags, context);
  },
  lint: (args) => {
    const flags = parseDirectArgs(LINT_TABLE, args);
    return flags === undefined || flags.load ? undefined : (context) => runLint(flags, context);
  },
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
  return runCommand(wantsJson(argv), io, async (context) => {
    await run(context);
    return undefined;
  });
}
