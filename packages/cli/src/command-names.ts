/**
 * The first words `model-archiver` takes as a command: every command module's name (`create` is also the default
 * command) and yargs' `completion`. Kept as a plain list so an unknown command is answered without loading yargs and
 * the command modules (test/command-names.test.ts checks it against the modules).
 */
export const COMMAND_NAMES: readonly string[] = ['create', 'inspect', 'verify', 'sign', 'lint', 'extract', 'predict', 'completion'];

/**
 * The commands the direct path (`direct.ts`) may run without yargs, so `bin.ts` loads it only for their command
 * lines.
 */
export const DIRECT_COMMAND_NAMES = ['inspect', 'verify', 'lint'] as const;

/** One of {@link DIRECT_COMMAND_NAMES}. */
export type DirectCommandName = (typeof DIRECT_COMMAND_NAMES)[number];
