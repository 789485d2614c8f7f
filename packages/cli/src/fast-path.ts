import { readFileSync } from 'node:fs';

import { COMMAND_NAMES } from './command-names.js';
import { ExitCode } from './exit-codes.js';
import { unknownCommand, usageErrorText, VERSION_HINT } from './usage-hints.js';
import { VERSION } from './version.js';

/** The process streams and environment the fast path answers with. */
export interface FastPathProcess {
  stdout: { write(text: string): unknown; columns?: number };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * `model-archiver --help` and `model-archiver <command> --help` as yargs renders them, per wrap width, written next to
 * the bundle at build time by scripts/bundle-cli.mjs from the bundle's own `main()`, and `model-archiver completion` per
 * shell: `{ version, help: { [width]: text }, commandHelp: { [command]: { [width]: text } }, completion: { [shell]:
 * text } }`. The unbundled build (`tsc -b`) has none.
 */
const PRERENDERED_HELP = new URL('./prerendered-help.json', import.meta.url);

/** The commands whose `<command> --help` is pre-rendered: all but yargs' `completion` (its `--help` is a usage error). */
export const HELP_COMMANDS: readonly string[] = COMMAND_NAMES.filter((name) => name !== 'completion');

/** The completion scripts yargs has: zsh, fish, and bash (its "sh" template). */
export const COMPLETION_SHELLS = ['sh', 'zsh', 'fish'] as const;

/**
 * The completion script yargs prints for this environment, by its own rule (yargs/build/lib/completion.js): zsh when
 * `SHELL` or `ZSH_NAME` mentions zsh, else fish when `SHELL` mentions fish, else the bash script.
 */
export function completionShell(env: Readonly<Record<string, string | undefined>>): (typeof COMPLETION_SHELLS)[number] {
  if (env.SHELL?.includes('zsh') || env.ZSH_NAME?.includes('zsh')) return 'zsh';
  return env.SHELL?.includes('fish') ? 'fish' : 'sh';
}

/** The wrap width `main()` gives yargs for this stdout. */
export const helpWidth = (columns: number | undefined): number => Math.min(120, columns ?? 100);

/** Whether the arguments ask for JSON output (`--json`, or lint's `--format=json`). */
export const wantsJson = (args: readonly string[]): boolean => args.includes('--json') || args.includes('--format=json');

/**
 * `model-archiver --version` alone: torch-model-archiver users mean the model version, others the tool's; say both.
 * Returns true when it answered.
 */
export function answerVersion(args: readonly string[], out: Pick<FastPathProcess, 'stdout' | 'stderr'>): boolean {
  if (args.length !== 1 || args[0] !== '--version') return false;
  out.stdout.write(`${VERSION}\n`);
  out.stderr.write(`model-archiver: note: that is the tool version; ${VERSION_HINT}\n`);
  return true;
}

/**
 * Whether yargs prints its English texts in this environment: it takes the locale from LC_ALL, LC_MESSAGES, LANG or
 * LANGUAGE (in that order, en_US when none is set) and has no translation for English, C or POSIX.
 */
export function englishLocale(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE || 'en_US').replace(/[.:].*/, '');
  return locale === 'en' || locale.startsWith('en_') || locale === 'C' || locale === 'POSIX';
}

type Widths = Record<string, unknown>;

/** The pre-rendered texts of this version, or undefined (no file, or one of another version). */
function prerenderedTexts(): { help?: Widths; commandHelp?: Record<string, Widths | undefined>; completion?: Record<string, unknown> } | undefined {
  let texts: { version?: unknown; help?: Widths; commandHelp?: Record<string, Widths | undefined>; completion?: Record<string, unknown> };
  try {
    texts = JSON.parse(readFileSync(PRERENDERED_HELP, 'utf8')) as typeof texts;
  } catch {
    return undefined;
  }
  return texts.version === VERSION ? texts : undefined;
}

/**
 * The pre-rendered `--help` text for a wrap width, of `command` when given, or undefined (no file, another width, or a
 * stale file).
 */
function prerenderedHelp(width: number, command: string | undefined): string | undefined {
  const texts = prerenderedTexts();
  const widths = command === undefined ? texts?.help : texts?.commandHelp?.[command];
  const text = widths?.[String(width)];
  return typeof text === 'string' ? text : undefined;
}

const isHelpFlag = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

/**
 * Answers the command lines that need no argument parser, before yargs and the command modules are loaded (they are
 * most of a fresh process's start-up): `-V`/`--tool-version`, `--help`/`-h` and `<command> --help`/`-h` (pre-rendered
 * text of the bundle, in an English locale), `completion` (the pre-rendered script for the shell) and an unknown command without `--json`. Returns the exit code, or
 * undefined when `main()` must run. Each answer is byte for byte what `main()` prints for the same arguments.
 */
export function answerWithoutParser(args: readonly string[], proc: FastPathProcess): number | undefined {
  const [first] = args;
  if (answerVersion(args, proc)) return ExitCode.OK;
  if (args.length === 1 && (first === '-V' || first === '--tool-version')) {
    proc.stdout.write(`${VERSION}\n`);
    return ExitCode.OK;
  }
  if (args.length === 1 && first === 'completion') {
    const script = prerenderedTexts()?.completion?.[completionShell(proc.env)];
    if (typeof script !== 'string') return undefined;
    proc.stdout.write(`${script}\n`);
    return ExitCode.OK;
  }
  const helpOf = args.length === 2 && isHelpFlag(args[1]) && first !== undefined && HELP_COMMANDS.includes(first) ? first : undefined;
  // YARGS_DISABLE_WRAP makes yargs print the help unwrapped: not the pre-rendered text.
  if (((args.length === 1 && isHelpFlag(first)) || helpOf !== undefined) && englishLocale(proc.env) && !proc.env.YARGS_DISABLE_WRAP) {
    const help = prerenderedHelp(helpWidth(proc.stdout.columns), helpOf);
    if (help === undefined) return undefined;
    proc.stdout.write(`${help}\n`);
    return ExitCode.OK;
  }
  const unknown = wantsJson(args) ? undefined : unknownCommand(args, COMMAND_NAMES);
  if (unknown === undefined) return undefined;
  proc.stderr.write(usageErrorText(unknown.message));
  return ExitCode.USAGE;
}
