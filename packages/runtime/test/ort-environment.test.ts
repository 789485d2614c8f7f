import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { softmaxClassifierModel } from '../../../fixtures/models/make-tiny-models.mjs';

const onnxModule = fileURLToPath(new URL('../dist/onnx/onnx.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'runtime-ortenv-'));
const model = join(dir, 'tiny.onnx');
writeFileSync(model, softmaxClassifierModel());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Creates one session through the built runtime in a fresh process; returns its pid and the variable it saw. */
function sessionInChild(env: NodeJS.ProcessEnv): { pid: number; value: string | undefined } {
  const script = [
    `const { createOnnxSession } = await import(${JSON.stringify(onnxModule)});`,
    `const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 };`,
    `const session = await createOnnxSession(${JSON.stringify(model)}, options, () => {});`,
    'await session.release();',
    'process.stdout.write(JSON.stringify({ pid: process.pid, value: process.env.ORT_DISABLE_TELEMETRY }));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { pid: number; value: string | undefined };
}

describe('ONNX Runtime environment', () => {
  it('turns onnxruntime-node telemetry off, so a session leaves no /tmp/mat-debug-<pid>.log', () => {
    const env = { ...process.env };
    delete env.ORT_DISABLE_TELEMETRY;
    const { pid, value } = sessionInChild(env);
    expect(value).toBe('1');
    expect(existsSync(join(tmpdir(), `mat-debug-${pid}.log`))).toBe(false);
  });

  it('keeps a value the user set explicitly', () => {
    const { pid, value } = sessionInChild({ ...process.env, ORT_DISABLE_TELEMETRY: '0' });
    expect(value).toBe('0');
    rmSync(join(tmpdir(), `mat-debug-${pid}.log`), { force: true }); // telemetry was on in that process: tidy up
  });
});
