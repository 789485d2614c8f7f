#!/usr/bin/env node
import { runServerCli } from './cli/run-cli.js';
import type { ServerCliOutcome } from './cli/run-cli.js';

/** Exit codes of `model-server` (docs/server.md): the only place they are decided. */
const EXIT_CODES: Record<ServerCliOutcome['kind'], number> = { answered: 0, stopped: 0, 'start-failed': 1, 'usage-error': 2 };

const outcome = await runServerCli(process.argv.slice(2), { stdout: process.stdout });
if (outcome.kind === 'usage-error') {
  process.stderr.write(`model-server: ${outcome.error instanceof Error ? outcome.error.message : String(outcome.error)}\n`);
}
process.exitCode = EXIT_CODES[outcome.kind];
