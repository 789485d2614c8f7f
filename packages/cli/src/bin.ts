#!/usr/bin/env node
import { VERSION } from './version.js';

const args = process.argv.slice(2);
// The tool's version needs no parser: answered before yargs and the commands are loaded.
if (args.length === 1 && (args[0] === '-V' || args[0] === '--tool-version')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(args);
}
