// Cost of one token check of the server (the `Authorization: Bearer` header of every guarded request): a SHA-256 of
// the given key and a constant-time compare with the stored digest. Median of 9 rounds of 100,000 checks; the key file
// is written to a temp folder and removed.
// Usage: npm run build && node scripts/bench/token-check.mjs
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { TokenAuthority } from '../../packages/server/dist/http/token-auth.js';
import { median } from './bench-utils.mjs';

const ROUNDS = 9;
const CHECKS = 100_000;

const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-token-'));
try {
  const authority = await TokenAuthority.create(path.join(dir, 'key_file.json'), 60);
  const keys = JSON.parse(await readFile(authority.keyFile, 'utf8'));
  const good = `Bearer ${keys.inference.key}`;
  const bad = `Bearer ${keys.management.key}`;
  const perCheck = (header) => {
    const rounds = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < CHECKS; i += 1) {
        try {
          authority.check('inference', header);
        } catch {
          // a refused key costs the same digest and compare, plus the error
        }
      }
      rounds.push(Number(process.hrtime.bigint() - started) / CHECKS);
    }
    return median(rounds);
  };
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, 1-minute load average ${os.loadavg()[0].toFixed(1)}`);
  console.log(`accepted key: ${(perCheck(good) / 1000).toFixed(2)} µs per check (median of ${ROUNDS} x ${CHECKS})`);
  console.log(`refused key:  ${(perCheck(bad) / 1000).toFixed(2)} µs per check (median of ${ROUNDS} x ${CHECKS})`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
