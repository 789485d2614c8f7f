// Child process of create.mjs: runs buildArchive from the built core once and prints the result as JSON.
// Usage: node scripts/bench/build-child.mjs '<BuildOptions as JSON>'
import { buildArchive } from '../../packages/core/dist/index.js';

const options = JSON.parse(process.argv[2]);
const result = await buildArchive({ ...options, env: {} });
process.stdout.write(
  `${JSON.stringify({ bytesOut: result.bytesOut, durationMs: result.durationMs, methods: result.entries.map((e) => e.method) })}\n`,
);
