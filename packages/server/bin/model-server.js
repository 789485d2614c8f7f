#!/usr/bin/env node
// Committed entry point, so npm links the binary at install time even before `npm run build` creates dist/.
import '../dist/bin.js';
