#!/usr/bin/env node
import { answerWithoutParser } from './fast-path.js';

const args = process.argv.slice(2);
// -V, --help and an unknown command are answered before yargs and the commands are loaded.
const answered = answerWithoutParser(args, process);
if (answered !== undefined) {
  process.exitCode = answered;
} else {
  const { loadMain } = await import('./load-main.js');
  const main = await loadMain();
  process.exitCode = await main(args);
}
