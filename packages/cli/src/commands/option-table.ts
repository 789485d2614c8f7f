import type { Options, PositionalOptions } from 'yargs';

/** A flag of an option table: one of yargs' option declarations, with its type always given. */
export type TableOption = Options & { type: 'boolean' | 'string' | 'number' };

/** A positional argument of an option table: a string (a list of them when `array`), always required. */
export type TablePositional = PositionalOptions & { type: 'string'; demandOption: true };

/**
 * A command's flags and positional arguments as plain data, the one definition of them: the command's yargs builder
 * declares exactly these (so `--help` shows them), and the direct path (`direct-args.ts`) parses a command line with
 * them without loading yargs. Write a table `as const satisfies OptionTable`, so {@link FlagsOf} gives its types.
 */
export interface OptionTable {
  /** Positional arguments in command-line order; one with `array: true` takes the rest. */
  positionals: Readonly<Record<string, TablePositional>>;
  /** Flags by their dashed name (`--public-key` is `'public-key'`). */
  options: Readonly<Record<string, TableOption>>;
}

/** The value type of one flag. */
type ValueOf<O> = O extends { type: 'boolean' } ? boolean : O extends { type: 'number' } ? number : O extends { choices: readonly (infer C)[] } ? C : string;

/**
 * What a command's handler reads from a parsed command line of table `T`: each positional (a string, or a list), each
 * flag by its dashed name, `undefined` when it has no default and was not given.
 */
export type FlagsOf<T extends OptionTable> = {
  [K in keyof T['positionals']]: T['positionals'][K] extends { array: true } ? string[] : string;
} & {
  [K in keyof T['options']]: T['options'][K] extends { default: unknown } ? ValueOf<T['options'][K]> : ValueOf<T['options'][K]> | undefined;
};
