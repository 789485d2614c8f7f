import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Unit tests import the sibling packages from source; CLI/server end-to-end tests spawn the built bins.
export default defineConfig({
  resolve: {
    alias: {
      '@model-archiver/core': src('core'),
      '@model-archiver/runtime': src('runtime'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './scripts/test-summary-reporter.mjs'],
  },
});
