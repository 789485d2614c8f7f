// vitest global setup: the CLI end-to-end tests run the package's bin, which runs the bundle; rebuild the bundle from
// the current dist/ (made by `tsc -b`) so they never test a stale one. About a second.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default async function setup() {
  if (!existsSync(fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url)))) return;
  const { bundleCli } = await import('./bundle-cli.mjs');
  await bundleCli();
}
