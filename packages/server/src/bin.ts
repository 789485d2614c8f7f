#!/usr/bin/env node
import { runServerCli } from './cli/run-cli.js';
import type { ServerCliOutcome } from './cli/run-cli.js';
import { tuneGarbageCollector } from './gc-tuning.js';

/** Exit codes of `model-server` (docs/server.md): the only place they are decided. */
const EXIT_CODES: Record<ServerCliOutcome['kind'], number> = { answered: 0, stopped: 0, 'daemon-done': 0, 'start-failed': 1, 'daemon-failed': 1, 'usage-error': 2 };

tuneGarbageCollector();
const outcome = await runServerCli(process.argv.slice(2), { stdout: process.stdout });
if (outcome.kind === 'usage-error' || outcome.kind === 'daemon-failed') {
  const { error } = outcome;
  const code = typeof error === 'object' && error !== null && 'code' in error ? `${String(error.code)}: ` : '';
  process.stderr.write(`model-server: ${code}${error instanceof Error ? error.message : String(error)}\n`);
}
process.exitCode = EXIT_CODES[outcome.kind];
