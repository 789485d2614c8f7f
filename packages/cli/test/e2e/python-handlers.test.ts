import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { pythonWithNumpy } from '../../../../fixtures/python/python-interpreter.mjs';
import { errorCodeOf, jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
let python: string;
const EXAMPLE = join(REPO_ROOT, 'examples/python-classifier');

beforeAll(async () => {
  python = pythonWithNumpy();
  ({ dir, cleanup } = await tempDir('python'));
  await cp(EXAMPLE, join(dir, 'colours'), { recursive: true });
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken/model_service.py'), 'import surely_not_installed_module_xyz\n\ndef handle(data, context):\n    return data\n');
});
afterAll(async () => {
  await cleanup();
});

const env = (): Record<string, string> => ({ MODEL_ARCHIVER_CACHE_DIR: join(dir, 'cache'), PYTHON: python });

describe('Python handlers from the command line', () => {
  it("packs the seed's service with the seed's command line and predicts with it", async () => {
    const pack = await runCli(['--model-name', 'colours', '--handler', 'model_service:handle', '--model-path', 'colours', '--runtime', 'python'], dir);
    expect(pack.exitCode, pack.stderr).toBe(0);
    const run = await runCli(['predict', 'colours.mar', join(EXAMPLE, 'orange.png'), '--json', '--python', python], dir, { MODEL_ARCHIVER_CACHE_DIR: join(dir, 'cache') });
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = jsonOf(run) as unknown as { results: { status: number; body: { class: string; probability: number }[] }[] };
    expect(doc.results[0]?.status).toBe(200);
    expect(doc.results[0]?.body).toHaveLength(5);
    expect(doc.results[0]?.body[0]?.class).toBe('orange');
  });

  it('exits with the model failure code and PYTHON_NOT_FOUND when --python names no interpreter', async () => {
    const run = await runCli(['predict', 'colours.mar', join(EXAMPLE, 'orange.png'), '--json', '--python', join(dir, 'no-python3')], dir, env());
    expect(errorCodeOf(run)).toBe('PYTHON_NOT_FOUND');
    expect(run.exitCode).toBe(8);
  });

  it('lint --load loads Python handlers: a good one passes, one whose import fails is MA024 HANDLER_IMPORT_FAILED', async () => {
    const pack = await runCli(['--model-name', 'broken', '--handler', 'model_service:handle', '--model-path', 'broken', '--runtime', 'python'], dir);
    expect(pack.exitCode, pack.stderr).toBe(0);
    const run = await runCli(['lint', 'colours.mar', 'broken.mar', '--load', '--json'], dir, env());
    const report = jsonOf(run) as unknown as { results: { archive: string; findings: { ruleId: string; code?: string }[] }[] };
    expect(report.results.find((r) => r.archive.endsWith('colours.mar'))?.findings).toEqual([]);
    expect(report.results.find((r) => r.archive.endsWith('broken.mar'))?.findings).toEqual([expect.objectContaining({ ruleId: 'MA024', code: 'HANDLER_IMPORT_FAILED' })]);
    expect(run.exitCode).toBe(1);
  });
});
