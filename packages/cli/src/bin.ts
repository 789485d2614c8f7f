#!/usr/bin/env node
import { DIRECT_COMMAND_NAMES } from './command-names.js';
import { answerWithoutParser } from './fast-path.js';

/**
 * Runs the command line: -V, --help and an unknown command are answered before anything else loads (fast-path.ts);
 * inspect, verify and lint go to the direct path without yargs (direct.ts) where their arguments allow; the rest,
 * and whatever the direct path declines, to `main()`. MODEL_ARCHIVER_DIRECT=0 sends every command line to `main()`.
 */
async function run(args: readonly string[]): Promise<number> {
  const answered = answerWithoutParser(args, process);
  if (answered !== undefined) return answered;
  const { loadDirect, loadMain } = await import('./load-bundled.js');
  const direct = DIRECT_COMMAND_NAMES.some((name) => name === args[0]) && process.env.MODEL_ARCHIVER_DIRECT !== '0';
  const exitCode = direct ? await (await loadDirect())(args) : undefined;
  return exitCode ?? (await loadMain())(args);
}

// No top-level await: the bundle builds this file as CommonJS (scripts/bundle-cli.mjs).
void run(process.argv.slice(2)).then((exitCode) => {
  process.exitCode = exitCode;
});
