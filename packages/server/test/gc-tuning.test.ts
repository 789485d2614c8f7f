import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { GC_TUNING_FLAGS } from '../src/gc-tuning.js';

const TUNING = fileURLToPath(new URL('../dist/gc-tuning.js', import.meta.url));

/**
 * Runs `tuneGarbageCollector` in a fresh Node process (V8 flags are process-wide) started with `nodeArgs`, then makes
 * the collector work through full and young collections with request-like garbage (off-heap buffers); prints the flags
 * it set as JSON.
 */
const tuneIn = (nodeArgs: string[]): { status: number | null; applied: string[] } => {
  const script = `
    const { tuneGarbageCollector } = await import(${JSON.stringify(TUNING)});
    const applied = tuneGarbageCollector();
    let keep = [];
    for (let i = 0; i < 3000; i += 1) {
      keep.push(Buffer.allocUnsafeSlow(100 * 1024), { i, text: 'x'.repeat(200) });
      if (keep.length > 64) keep = [];
      if (i % 1000 === 0) globalThis.gc();
    }
    process.stdout.write(JSON.stringify(applied));
  `;
  const child = spawnSync(process.execPath, [...nodeArgs, '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: child.status, applied: child.status === 0 ? (JSON.parse(child.stdout) as string[]) : [] };
};

describe('tuneGarbageCollector', () => {
  it('sets every flag on a plain process, and the collector keeps working', () => {
    const { status, applied } = tuneIn([]);
    expect(status).toBe(0);
    expect(applied).toEqual([...GC_TUNING_FLAGS]);
  });

  it("leaves a flag given on Node's command line alone, in either spelling", () => {
    const { status, applied } = tuneIn(['--heap_growing_percent=50', '--incremental-marking-soft-trigger=0']);
    expect(status).toBe(0);
    expect(applied).toEqual(['--incremental-marking-hard-trigger=95']);
  });
});
