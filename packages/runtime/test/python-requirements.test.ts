import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DEMO_DEP_FILES, demoWheel, pythonWithNumpy } from '../../../fixtures/python/python-interpreter.mjs';
import { loadModel } from '../src/index.js';
import type { LoadedModel } from '../src/index.js';
import { tempArea } from './helpers.js';
import type { TempArea } from './helpers.js';
import { buildPythonArchive } from './python-helpers.js';


describe('requirements.txt of Python archives', () => {
  let area: TempArea;
  let python: string;
  let archive: string;
  let broken: string;
  const open: LoadedModel[] = [];

  beforeAll(async () => {
    python = pythonWithNumpy();
    area = await tempArea();
    archive = await buildPythonArchive(area.root, 'needs-dep', 'svc:handle', { ...DEMO_DEP_FILES, 'wheels/demo_dep-1.0-py3-none-any.whl': demoWheel(python) });
    broken = await buildPythonArchive(area.root, 'needs-missing', 'svc:handle', {
      'svc.py': DEMO_DEP_FILES['svc.py'],
      'requirements.txt': '--no-index\nsurely-not-a-package-xyz==9.9\n',
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((model) => model.close()));
    await area.cleanup();
  });

  it('is only reported by default: the handler cannot import what it names', async () => {
    const warnings: string[] = [];
    const error = await loadModel(archive, { cacheDir: area.cacheDir, python, onWarning: (w) => warnings.push(w) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HANDLER_IMPORT_FAILED' });
    expect(warnings.some((w) => w.includes('requirements.txt'))).toBe(true);
  });

  it('with installRequirements, is installed into an environment of the model, built once and reused', { timeout: 120_000 }, async () => {
    const first = await loadModel(archive, { cacheDir: area.cacheDir, python, installRequirements: true });
    open.push(first);
    const [answer] = await first.handle([{ body: 'x' }]);
    const prefix = (answer!.body as { prefix: string }).prefix;
    expect(answer!.body).toMatchObject({ value: 42 });
    expect(prefix.startsWith(path.join(area.cacheDir, 'python-envs'))).toBe(true);
    expect(prefix).not.toMatch(/\.tmp$/);
    const second = await loadModel(archive, { cacheDir: area.cacheDir, python, installRequirements: true });
    open.push(second);
    const [again] = await second.handle([{ body: 'y' }]);
    expect(again!.body).toEqual({ value: 42, prefix });
    expect(await readdir(path.join(area.cacheDir, 'python-envs'))).toHaveLength(1);
  });

  it('REQUIREMENTS_INSTALL_FAILED with pip\'s output when an install fails, leaving no environment behind', { timeout: 120_000 }, async () => {
    const error = await loadModel(broken, { cacheDir: area.cacheDir, python, installRequirements: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REQUIREMENTS_INSTALL_FAILED' });
    expect(String((error as { details: { output?: unknown } }).details.output)).toContain('surely-not-a-package-xyz');
    expect(await readdir(path.join(area.cacheDir, 'python-envs'))).toHaveLength(1);
  });
});
