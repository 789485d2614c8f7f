import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { buildArchive } from '@model-archiver/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { jsonOf, REPO_ROOT, runCli, tempDir } from './cli-harness.js';

const REFERENCE = join(REPO_ROOT, 'fixtures/reference-fixture/cases');

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir('lint')));
afterEach(async () => cleanup());

interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { name: string; rules: Array<{ id: string; help: { text: string } }> } };
    results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
  }>;
}

async function buildNode(handler: string, name = 'm'): Promise<string> {
  await writeFile(join(dir, `${name}.mjs`), handler);
  const result = await buildArchive({ modelName: name, version: '1.0', handler: `${name}.mjs`, flavour: 'node', cwd: dir, exportPath: join(dir, 'out') });
  return result.outputPath;
}

describe('model-archiver lint', () => {
  it('lints every reference archive through a glob without errors (exit 0)', async () => {
    const run = await runCli(['lint', '*/*.mar', '*/*.tar.gz', '--format', 'json'], REFERENCE);
    expect(run.exitCode).toBe(0);
    const report = jsonOf(run) as { ok: boolean; errorCount: number; noteCount: number; results: unknown[] };
    expect(report).toMatchObject({ ok: true, errorCount: 0 });
    expect(report.results).toHaveLength(10);
    expect(report.noteCount).toBe(10);
  });

  it('fails on warnings past --max-warnings', async () => {
    const archive = join(REFERENCE, 'mms_empty_dir/empty.mar');
    expect((await runCli(['lint', archive], dir)).exitCode).toBe(0);
    expect((await runCli(['lint', archive, '--max-warnings', '1'], dir)).exitCode).toBe(0);
    const strict = await runCli(['lint', archive, '--max-warnings', '0'], dir);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain('LINT_FAILED');
  });

  it('exits 1 on errors and writes SARIF 2.1.0 with rules and archive locations', async () => {
    await buildNode('export const nothingUseful = 1;\n', 'bad');
    await buildNode('export async function handle(batch) { return batch; }\n', 'good');
    const run = await runCli(['lint', 'out/*.mar', '--format', 'sarif'], dir);
    expect(run.exitCode).toBe(1);
    const sarif = JSON.parse(run.stdout) as SarifLog;
    expect(sarif.version).toBe('2.1.0');
    const [only] = sarif.runs;
    expect(only?.tool.driver.name).toBe('model-archiver');
    expect(only?.tool.driver.rules.map((r) => r.id)).toContain('MA010');
    expect(only?.results).toEqual([
      expect.objectContaining({ ruleId: 'MA010', level: 'error', locations: [expect.objectContaining({ physicalLocation: { artifactLocation: { uri: 'out/bad.mar' }, region: { startLine: 1 } } })] }),
    ]);
  });

  it('prints GitHub workflow annotations', async () => {
    await buildNode('export const nothingUseful = 1;\n', 'bad');
    const run = await runCli(['lint', 'out/bad.mar', join(REFERENCE, 'ts_minimal/minimal.mar'), '--format', 'github'], dir);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.some((l) => l.startsWith('::error file=out/bad.mar,title=MA010::'))).toBe(true);
    expect(lines.some((l) => l.startsWith('::notice ') && l.includes('title=MA018'))).toBe(true);
  });

  it('reports an unreadable file and a glob that matches nothing as errors', async () => {
    await writeFile(join(dir, 'junk.mar'), 'junk');
    const run = await runCli(['lint', 'junk.mar', 'missing/*.mar', '--json'], dir);
    expect(run.exitCode).toBe(1);
    const report = jsonOf(run) as unknown as { results: Array<{ findings: Array<{ ruleId: string; code: string }> }> };
    expect(report.results.flatMap((r) => r.findings.map((f) => `${f.ruleId}:${f.code}`)).sort()).toEqual([
      'MA001:ARCHIVE_FORMAT_UNKNOWN',
      'MA001:ARCHIVE_NOT_FOUND',
    ]);
  });

  it('--load imports and initialises node handlers: a good one passes, a throwing one is MA024', async () => {
    const good = await buildNode('export async function initialize() {}\nexport async function handle(batch) { return batch; }\n', 'good');
    const bad = await buildNode("export async function initialize() { throw new Error('no weights'); }\nexport async function handle(b) { return b; }\n", 'bad');
    const cache = join(dir, 'cache');
    const run = await runCli(['lint', good, bad, '--load', '--json'], dir, { MODEL_ARCHIVER_CACHE_DIR: cache });
    const report = jsonOf(run) as unknown as { results: Array<{ archive: string; findings: Array<{ ruleId: string; code?: string }> }> };
    expect(report.results.find((r) => r.archive === good)?.findings).toEqual([]);
    expect(report.results.find((r) => r.archive === bad)?.findings).toEqual([expect.objectContaining({ ruleId: 'MA024', code: 'HANDLER_INIT_FAILED' })]);
    expect(run.exitCode).toBe(1);
  });

  it('rejects a negative --max-warnings as a usage error', async () => {
    expect((await runCli(['lint', join(REFERENCE, 'ts_minimal/minimal.mar'), '--max-warnings', '-1'], dir)).exitCode).toBe(2);
  });
});
