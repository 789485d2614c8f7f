import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

import type { FlagsOf, OptionTable, TableOption } from './commands/option-table.js';
import { unknownFlags, type UsageProblem } from './usage-hints.js';

/**
 * Words yargs-parser may turn into something else: numbers (it parses positional numbers, so `1e3` would become
 * `1000`), booleans, and quoted text (it strips quotes from some values). The direct path leaves them to yargs.
 */
const REWRITTEN_BY_YARGS = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+|true|false|['"].*)$/i;

/** A positional argument or a flag value the direct path takes as it is. */
const plainWord = (word: string): boolean => word !== '' && !word.startsWith('-') && !REWRITTEN_BY_YARGS.test(word);

/** The value of a string or number flag, or undefined when it is one the direct path leaves to yargs. */
function flagValue(option: TableOption, text: string | undefined): string | number | undefined {
  if (text === undefined) return undefined;
  if (option.type === 'number') return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
  if (!plainWord(text)) return undefined;
  if (option.choices !== undefined && !option.choices.includes(text)) return undefined;
  return text;
}

/**
 * Parses the arguments of one command (after its name) with its option table, without yargs, and returns the values
 * the command's yargs handler would get for the table's keys, or undefined ("not mine") for anything it cannot answer
 * exactly as yargs does, which then goes to `main()`. It takes: the table's long flags, each at most once; a boolean
 * as `--x` or `--no-x`; a string or number as `--x value` or `--x=value` (a number in decimal digits, a string among
 * its choices); and the positionals, all present. It leaves to yargs: `--help` and every other flag, short and
 * camel-case forms, `--`, a flag given twice, a missing or empty value, a value not among the choices, a missing or
 * extra positional, and words yargs rewrites (numbers, `true`/`false`, quoted text) or takes as flags (`-x`).
 * node:util `parseArgs` (strict, with `allowNegative`) does the tokenising; this function keeps only what it accepts.
 */
export function parseDirectArgs<T extends OptionTable>(table: T, args: readonly string[]): FlagsOf<T> | undefined {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, option] of Object.entries(table.options)) config[name] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true, allowNegative: true, tokens: true }));
  } catch {
    return undefined;
  }
  const flags: Record<string, unknown> = {};
  const words: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind === 'positional') {
      if (!plainWord(token.value)) return undefined;
      words.push(token.value);
      continue;
    }
    const option = table.options[token.name];
    if (option === undefined || Object.hasOwn(flags, token.name)) return undefined;
    if (option.type === 'boolean') {
      if (token.rawName !== `--${token.name}` && token.rawName !== `--no-${token.name}`) return undefined;
      flags[token.name] = token.rawName === `--${token.name}`;
    } else {
      const value = token.rawName === `--${token.name}` ? flagValue(option, token.value) : undefined;
      if (value === undefined) return undefined;
      flags[token.name] = value;
    }
  }
  for (const [name, positional] of Object.entries(table.positionals)) {
    if (words.length === 0) return undefined;
    flags[name] = positional.array === true ? words.splice(0) : words.shift();
  }
  if (words.length > 0) return undefined;
  for (const [name, option] of Object.entries(table.options)) {
    if (!Object.hasOwn(flags, name) && option.default !== undefined) flags[name] = option.default;
  }
  return flags as FlagsOf<T>;
}

/**
 * The flags yargs knows on a command's command line, in the order its usage lists them (what `main()` suggests the
 * closest of for a mistyped flag): `main()`'s global flags, then the command's positionals and flags.
 */
export const knownFlags = (table: OptionTable): string[] => ['tool-version', 'help', ...Object.keys(table.positionals), ...Object.keys(table.options)];

/** A long flag yargs reports under the name as typed: lower-case, dashed words, maybe with `=value`. */
const PLAIN_LONG_FLAG = /^--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(=.*)?$/s;

/** Whether `arg` is a flag of the table written as `--name` (no `=value`) whose value is the word after it. */
function takesValueAsNextWord(table: OptionTable, arg: string | undefined): boolean {
  if (arg?.startsWith('--') !== true || arg.includes('=')) return false;
  const option = table.options[arg.slice(2)];
  return option !== undefined && option.type !== 'boolean';
}

/**
 * The flags of a command line that the command does not know, in the order given, when they are its only mistake and
 * yargs would report exactly them ("Unknown arguments: jsn, onx"); undefined for any other command line. Taken:
 * `--name` or `--name=value` spelled in lower-case dashed words, each once, the rest of the line one that
 * {@link parseDirectArgs} takes. Left to yargs: a `--name` followed by a word (yargs takes the word as its value),
 * one right after a string or number flag written without `=value`, `--no-…` forms, and the flags yargs itself
 * answers or treats apart (`--help`, `--tool-version`, `--version`).
 */
export function unknownFlagsOf(table: OptionTable, args: readonly string[]): string[] | undefined {
  const known = new Set([...knownFlags(table), 'version']);
  const names: string[] = [];
  const rest: string[] = [];
  for (const [index, arg] of args.entries()) {
    const match = PLAIN_LONG_FLAG.exec(arg);
    const name = match?.[1];
    const negated = name?.startsWith('no-') === true && table.options[name.slice(3)]?.type === 'boolean';
    if (name === undefined || known.has(name) || negated) {
      rest.push(arg);
      continue;
    }
    const next = args[index + 1];
    if (name.startsWith('no-') || names.includes(name) || (match?.[2] === undefined && next !== undefined && !next.startsWith('-'))) return undefined;
    // After a flag that takes a value (`--public-key --hel=1 b.mar`), yargs leaves that flag empty and the word after
    // the unknown one a positional; taking the unknown flag out of the line would make the word the flag's value.
    if (takesValueAsNextWord(table, args[index - 1])) return undefined;
    names.push(name);
  }
  return names.length > 0 && parseDirectArgs(table, rest) !== undefined ? names : undefined;
}

/**
 * The usage error `main()` prints for `command ...args` when its only mistake is flags the command does not know
 * ({@link unknownFlagsOf}): yargs reports them as "Unknown argument(s): …", which `main()` words with `unknownFlags`
 * and the command's known flags; undefined for any other command line.
 */
export function unknownFlagsProblem(command: string, table: OptionTable, args: readonly string[]): UsageProblem | undefined {
  const unknown = unknownFlagsOf(table, args);
  if (unknown === undefined) return undefined;
  return unknownFlags(`Unknown argument${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, knownFlags(table), [command, ...args]);
}

