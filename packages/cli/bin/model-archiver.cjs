#!/usr/bin/env node
// Committed entry point, so npm links the binary at install time even before `npm run build` creates dist/.
// `npm run build` bundles the CLI into dist/bundle/ (scripts/bundle-cli.mjs: a few CommonJS files instead of hundreds
// of modules, for a fast start); a build made with `tsc -b` alone runs the unbundled dist/bin.js. CommonJS, like the
// bundle, so a command the bundle answers never starts Node's ES module loader.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '../dist/bundle/model-archiver.cjs');
if (existsSync(bundle)) require(bundle);
else import('../dist/bin.js');
