#!/usr/bin/env node
/**
 * Writes packages/core/manifest.schema.json from the zod manifest schemas (the single source of truth).
 * Run through `npm run schema` (builds packages/core first); `--check` exits 1 instead of writing when the file differs.
 * A vitest test (packages/core/test/manifest-json-schema.test.ts) fails when the committed file drifts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { serializeManifestJsonSchema } from '../packages/core/dist/index.js';

const target = fileURLToPath(new URL('../packages/core/manifest.schema.json', import.meta.url));
const text = serializeManifestJsonSchema();
const current = await readFile(target, 'utf8').catch(() => undefined);

if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write(`${target} is out of date; run \`npm run schema\`\n`);
    process.exitCode = 1;
  }
} else if (current === text) {
  process.stdout.write(`${target} is up to date\n`);
} else {
  await writeFile(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
