import type { CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';
import { createCommand } from './create.js';
import { extractCommand } from './extract.js';
import { inspectCommand } from './inspect.js';
import { lintCommand } from './lint.js';
import { predictCommand } from './predict.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';

/** A command is made per run with its context (io, exit code). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandFactory = (context: CommandContext) => CommandModule<any, any>;

/**
 * Every command of `model-archiver`; `create` is the default (`$0`).
 * Every run of `main()` imports all of these to declare their flags, so what they import at the top is paid by every
 * command: values come from `@model-archiver/core/read` (no zod), and the rest of core in the handler that needs it:
 * `@model-archiver/core/check` for inspect, verify and lint (no zod for a valid archive), `@model-archiver/core`
 * elsewhere (test/e2e/startup-modules.test.ts checks this). inspect, verify and lint usually run without `main()`,
 * on the direct path (direct.ts), from their option tables and `run*` functions.
 */
export const commandModules: readonly CommandFactory[] = [
  createCommand,
  inspectCommand,
  verifyCommand,
  signCommand,
  lintCommand,
  extractCommand,
  predictCommand,
];
