#!/usr/bin/env node
import { runServerCli } from './run-cli.js';

process.exitCode = await runServerCli(process.argv.slice(2));
