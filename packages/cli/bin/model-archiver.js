#!/usr/bin/env node
// Committed entry point, so npm links the binary at install time even before `npm run build` creates dist/.
// `npm run build` bundles the CLI into dist/bundle/ (scripts/bundle-cli.mjs: a few files instead of hundreds of
// modules, for a fast start); a build made with `tsc -b` alone runs the unbundled dist/bin.js.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/model-archiver.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/bin.js');
