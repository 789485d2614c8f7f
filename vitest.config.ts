import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, entry = 'index'): string => fileURLToPath(new URL(`./packages/${pkg}/src/${entry}.ts`, import.meta.url));

// Unit tests import the sibling packages from source; CLI/server end-to-end tests spawn the built bins.
export default defineConfig({
  resolve: {
    // Exact matches (a string key would also catch '@model-archiver/core/read' as a prefix).
    alias: [
      { find: /^@model-archiver\/core$/, replacement: src('core') },
      { find: /^@model-archiver\/core\/read$/, replacement: src('core', 'read-entry') },
      { find: /^@model-archiver\/core\/check$/, replacement: src('core', 'check-entry') },
      { find: /^@model-archiver\/runtime$/, replacement: src('runtime') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Rebuilds the CLI bundle the end-to-end tests run (scripts/bundle-cli.mjs) from the current dist/.
    globalSetup: ['./scripts/test-global-setup.mjs'],
    // Runs the property tests (fast-check) from a fixed seed; FC_SEED and FC_RUNS change it for a deliberate search.
    setupFiles: ['./scripts/test-fast-check-setup.mjs'],
    reporters: ['default', './scripts/test-summary-reporter.mjs'],
  },
});
