/**
 * The direct path's parser (src/direct-args.ts) against yargs: for every command line it takes, it must give the
 * values yargs gives the command's handler; everything else it must leave to main() (undefined). Checked on a table of
 * command lines and on generated ones (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { commandModules } from '../src/commands/index.js';
import { INSPECT_TABLE } from '../src/commands/inspect.js';
import { LINT_TABLE } from '../src/commands/lint.js';
import type { OptionTable, TableOption } from '../src/commands/option-table.js';
import { VERIFY_TABLE } from '../src/commands/verify.js';
import { DIRECT_COMMAND_NAMES } from '../src/command-names.js';
import type { DirectCommandName } from '../src/command-names.js';
import { parseDirectArgs, unknownFlagsProblem } from '../src/direct-args.js';
import { directRun } from '../src/direct.js';
import type { CommandContext } from '../src/io.js';
import { commandParser } from '../src/main.js';

const TABLES: Readonly<Record<DirectCommandName, OptionTable>> = { inspect: INSPECT_TABLE, verify: VERIFY_TABLE, lint: LINT_TABLE };

const context = { io: {}, setExitCode: () => undefined } as unknown as CommandContext;

/**
 * What the command's yargs handler receives for `command ...args` when main()'s parser runs it, restricted to the
 * table's keys, or undefined when yargs does not run the handler (a usage error, `--help`).
 */
async function yargsFlags(command: DirectCommandName, args: readonly string[]): Promise<Record<string, unknown> | undefined> {
  let received: Record<string, unknown> | undefined;
  const modules = commandModules.map((make) => {
    const module = make(context);
    const name = [module.command ?? ''].flat()[0]?.split(' ')[0];
    return name === command ? { ...module, handler: (argv: Record<string, unknown>) => void (received = argv) } : module;
  });
  const argv = [command, ...args];
  try {
    await commandParser(modules, argv, 100).parseAsync(argv, {}, () => undefined);
  } catch {
    return undefined;
  }
  if (received === undefined) return undefined;
  const table = TABLES[command];
  const keys = [...Object.keys(table.positionals), ...Object.keys(table.options)];
  return Object.fromEntries(keys.filter((key) => received?.[key] !== undefined).map((key) => [key, received?.[key]]));
}

/** The usage error main() gives `command ...args` (yargs' failure, worded by main()), or undefined when there is none. */
async function yargsUsageMessage(command: DirectCommandName, args: readonly string[]): Promise<string | undefined> {
  const argv = [command, ...args];
  const modules = commandModules.map((make) => ({ ...make(context), handler: () => undefined }));
  try {
    await commandParser(modules, argv, 100).parseAsync(argv, {}, () => undefined);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** Asserts that the direct path declines `command ...args` as an unknown-flag mistake or words it as main() does. */
async function expectSameUsageOrDeclined(command: DirectCommandName, args: readonly string[]): Promise<boolean> {
  const problem = unknownFlagsProblem(command, TABLES[command], args);
  if (problem === undefined) return false;
  expect({ args, message: problem.message }).toEqual({ args, message: await yargsUsageMessage(command, args) });
  return true;
}

/** The direct parser's values without the undefined ones (yargs leaves those keys out). */
function directFlags(command: DirectCommandName, args: readonly string[]): Record<string, unknown> | undefined {
  const flags = parseDirectArgs(TABLES[command], args) as Record<string, unknown> | undefined;
  return flags === undefined ? undefined : Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined));
}

/** Asserts that the direct parser declines `command ...args` or gives what yargs gives; returns whether it took it. */
async function expectSameOrDeclined(command: DirectCommandName, args: readonly string[]): Promise<boolean> {
  const direct = directFlags(command, args);
  if (direct === undefined) return false;
  expect({ args, flags: direct }).toEqual({ args, flags: await yargsFlags(command, args) });
  return true;
}

describe('the direct parser against yargs', () => {
  const taken: [DirectCommandName, string[]][] = [
    ['inspect', ['model.mar']],
    ['inspect', ['model.mar', '--json']],
    ['inspect', ['--json', 'model.mar']],
    ['inspect', ['model.mar', '--no-onnx', '--no-json']],
    ['inspect', ['models/a b.mar', '--onnx']],
    ['inspect', ['inspect']],
    ['verify', ['m.mar', '--public-key', 'k.pem', '--require-signature']],
    ['verify', ['m.mar', '--public-key=k.pem', '--no-require-signature', '--json']],
    ['verify', ['m.mar', '--strict', '--allow-unverified']],
    ['verify', ['--allow-unverified', 'm.mar', '--public-key=a=b.pem']],
    ['lint', ['a.mar']],
    ['lint', ['a.mar', 'b.mar', '--format', 'sarif', 'c/*.mar']],
    ['lint', ['a.mar', '--format=github', '--max-warnings', '0', '--concurrency=8']],
    ['lint', ['a.mar', '--json', '--format', 'text', '--verify', '--no-load']],
    ['lint', ['a.mar', '--max-warnings=007']],
  ];
  it.each(taken)('takes %s %j with the values yargs gives', async (command, args) => {
    expect(await expectSameOrDeclined(command, args)).toBe(true);
  });

  const declined: [DirectCommandName, string[]][] = [
    ['inspect', []],
    ['inspect', ['a.mar', 'b.mar']],
    ['inspect', ['a.mar', '--help']],
    ['inspect', ['a.mar', '-h']],
    ['inspect', ['a.mar', '--jsno', 'x']],
    ['inspect', ['--jsno']],
    ['inspect', ['a.mar', '--Jsno']],
    ['inspect', ['a.mar', '--no-jsno']],
    ['inspect', ['a.mar', '--json', '--json']],
    ['inspect', ['a.mar', '--json', '--no-json']],
    ['inspect', ['a.mar', '--json=true']],
    ['inspect', ['a.mar', '--json', 'false']],
    ['inspect', ['a.mar', '--', '--json']],
    ['inspect', ['-', '--json']],
    ['inspect', ['1e3']],
    ['inspect', ['0x10']],
    ['inspect', ['"a.mar"']],
    ['inspect', ['a.mar', '--tool-version']],
    ['verify', ['m.mar', '--publicKey', 'k.pem']],
    ['verify', ['m.mar', '--public-key']],
    ['verify', ['m.mar', '--public-key=']],
    ['verify', ['m.mar', '--public-key', '-k']],
    ['verify', ['m.mar', '--no-public-key']],
    ['verify', ['m.mar', '--public-key', 'a', '--public-key', 'b']],
    ['lint', []],
    ['lint', ['a.mar', '--format', 'xml']],
    ['lint', ['a.mar', '--format=JSON']],
    ['lint', ['a.mar', '--max-warnings', '-1']],
    ['lint', ['a.mar', '--max-warnings', '1.5']],
    ['lint', ['a.mar', '--concurrency', 'many']],
    ['lint', ['a.mar', '--load']],
  ];
  it.each(declined)('leaves %s %j to main()', (command, args) => {
    expect(directRun([command, ...args])).toBeUndefined();
  });

  it('leaves other commands and a command after a flag to main()', () => {
    for (const argv of [['create', '--model-name', 'm'], ['extract', 'a.mar'], ['--json', 'inspect', 'a.mar'], [], ['inspct', 'a.mar']]) {
      expect(directRun(argv)).toBeUndefined();
    }
    expect(directRun(['inspect', 'a.mar'])).toBeTypeOf('function');
  });

  /** Ways to write one flag of a table: mostly right (so many lines are taken), sometimes wrong. */
  const flagForms = (name: string, option: TableOption): fc.Arbitrary<string[]> => {
    const good = option.type === 'number' ? ['0', '3', '12'] : (option.choices?.map(String) ?? ['k.pem', 'a=b', 'dir/k 1.pem']);
    const value = fc.oneof(
      { arbitrary: fc.constantFrom(...good), weight: 3 },
      { arbitrary: fc.constantFrom('', '1.5', '-1', 'x', '1e2', 'true', '-x', "'q'", 'JSON'), weight: 1 },
    );
    const camel = `--${name.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}`;
    return fc.oneof(
      { arbitrary: fc.constantFrom<string[]>([`--${name}`], [`--no-${name}`]), weight: 2 },
      { arbitrary: value.map((v) => [`--${name}`, v]), weight: 2 },
      { arbitrary: value.map((v) => [`--${name}=${v}`]), weight: 2 },
      { arbitrary: fc.constantFrom<string[]>([`--${name}=true`], [camel], [`--${name}`, 'false']), weight: 1 },
    );
  };
  const word = fc.oneof(
    { arbitrary: fc.constantFrom('a.mar', 'b.mar', 'dir/c d.mar', '*.mar'), weight: 3 },
    { arbitrary: fc.constantFrom('42', '-', '--', '-h', '--help', '--unknown', 'true', '"x"', 'inspect', ''), weight: 1 },
  );

  it.each(DIRECT_COMMAND_NAMES)('gives yargs’ values or declines for generated %s command lines', async (command) => {
    const table = TABLES[command];
    const piece = fc.oneof(
      { arbitrary: word.map((w) => [w]), weight: 1 },
      ...Object.entries(table.options).map(([name, option]) => ({ arbitrary: flagForms(name, option), weight: 1 })),
    );
    let takenCount = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 5 }), async (pieces) => {
        if (await expectSameOrDeclined(command, ['a.mar', ...pieces.flat()])) takenCount += 1;
      }),
      { numRuns: fc.readConfigureGlobal().numRuns ?? 500 },
    );
    // The generator reaches many command lines the direct path takes, so the comparison is not vacuous.
    expect(takenCount).toBeGreaterThan(50);
  });

  const unknownFlagLines: [DirectCommandName, string[]][] = [
    ['inspect', ['a.mar', '--jsno']],
    ['inspect', ['a.mar', '--jsn', '--onx=1']],
    ['inspect', ['a.mar', '--hel']],
    ['inspect', ['a.mar', '--tool-versio']],
    ['verify', ['m.mar', '--public-ky=k.pem', '--json']],
    ['verify', ['m.mar', '--allow-unverifed', '--no-strict']],
    ['lint', ['a.mar', 'b.mar', '--max-warning=0']],
    ['lint', ['a.mar', '--formt=json', '--load']],
  ];
  it.each(unknownFlagLines)('words the unknown flags of %s %j as main() does', async (command, args) => {
    expect(await expectSameUsageOrDeclined(command, args)).toBe(true);
  });

  // yargs leaves `--public-key` empty here and reports b.mar as well; without the unknown flag b.mar would be its value.
  const unknownFlagDeclined: [DirectCommandName, string[]][] = [
    ['verify', ['a.mar', '--public-key', '--hel=1', 'b.mar']],
    ['lint', ['a.mar', '--format', '--formt', 'json']],
    ['lint', ['a.mar', '--max-warnings', '--max-warning=1', '0']],
  ];
  it.each(unknownFlagDeclined)('leaves the unknown flags of %s %j to main()', async (command, args) => {
    expect(unknownFlagsProblem(command, TABLES[command], args)).toBeUndefined();
    expect(await yargsUsageMessage(command, args)).toBeDefined();
  });

  it.each(DIRECT_COMMAND_NAMES)('words unknown flags as main() does, or declines, for generated %s command lines', async (command) => {
    const table = TABLES[command];
    const names = [...Object.keys(table.options), 'jsn', 'onx', 'hel', 'tool-versio', 'x-y', 'verfy', 'formt', 'version', 'help'];
    const typo = fc.oneof(
      fc.constantFrom(...names).map((name) => [`--${name}`]),
      fc.tuple(fc.constantFrom(...names), fc.constantFrom('1', 'x', '', 'k.pem')).map(([name, value]) => [`--${name}=${value}`]),
      fc.tuple(fc.constantFrom(...names), fc.constantFrom('x', '-1', '--json')).map(([name, value]) => [`--${name}`, value]),
      fc.constantFrom(['b.mar'], ['--no-jsn'], ['--Jsn'], ['--json']),
    );
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(typo, { minLength: 1, maxLength: 4 }), async (pieces) => {
        if (await expectSameUsageOrDeclined(command, ['a.mar', ...pieces.flat()])) reported += 1;
      }),
      { numRuns: fc.readConfigureGlobal().numRuns ?? 400 },
    );
    expect(reported).toBeGreaterThan(40);
  });
});
