import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SETTLE_MS } from '../src/cache/archive-fingerprint.js';
import { tempArea, writeModelArchive, type TempArea } from './helpers.js';

// What a fresh process loads on its way to the first answer, through the built runtime (npm test builds first).
const runtimeEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const trace = fileURLToPath(new URL('../../../fixtures/module-trace/register.mjs', import.meta.url));

let area: TempArea;
let archive: string;
beforeAll(async () => {
  area = await tempArea();
  archive = await writeModelArchive(path.join(area.root, 'm.mar'), {
    handler: 'svc',
    files: { 'svc.mjs': 'export const handle = (batch) => batch.map(() => "answer");' },
    integrity: true,
  });
  // An archive is remembered by its fingerprint once its times are settled (see archive-fingerprint.ts).
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS + 200));
});
afterAll(async () => {
  await area.cleanup();
});

/** Loads the archive and answers one request in a fresh process; returns the answer and the module URLs loaded. */
function loadInChild(): { answer: unknown; modules: string[] } {
  const code = [
    `const { loadModel } = await import(${JSON.stringify(runtimeEntry)});`,
    `const model = await loadModel(${JSON.stringify(archive)}, { cacheDir: ${JSON.stringify(area.cacheDir)} });`,
    "const [response] = await model.handle([{ body: 'x' }]);",
    'await model.close();',
    'process.stdout.write(JSON.stringify(response.body));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', trace, '--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const modules = result.stderr.split('\n').filter((l) => l.startsWith('module-trace ')).map((l) => l.slice('module-trace '.length));
  return { answer: JSON.parse(result.stdout) as unknown, modules };
}

const has = (modules: string[], pattern: RegExp): boolean => modules.some((url) => pattern.test(url));

describe('cold start of a fresh process', () => {
  it('reads the zip (yauzl) only when it materialises the archive, and validates a valid manifest and record without zod', () => {
    const first = loadInChild();
    expect(first.answer).toBe('answer');
    expect(has(first.modules, /\/node_modules\/zod\//)).toBe(false);
    expect(has(first.modules, /\/node_modules\/yauzl\//)).toBe(true);
  });

  it('loads neither zod nor the zip reader on a cache hit of an unchanged archive file', () => {
    loadInChild(); // fills the cache and remembers the fingerprint, whether or not the test above ran first
    const second = loadInChild();
    expect(second.answer).toBe('answer');
    expect(has(second.modules, /\/node_modules\/zod\//)).toBe(false);
    expect(has(second.modules, /\/node_modules\/yauzl\/|\/read\/zip-archive\.js$/)).toBe(false);
  });
});
