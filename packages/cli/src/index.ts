/**
 * @packageDocumentation
 * The `model-archiver` command line as a library: `main(argv, io)` runs one invocation and returns its exit code,
 * so build tools can call it in-process. Exit codes are documented in docs/cli.md.
 */
export { main } from './main.js';
export { processIo } from './run-command.js';
export { ExitCode, exitCodeFor } from './exit-codes.js';
export type { CliIo, CommandContext } from './io.js';
