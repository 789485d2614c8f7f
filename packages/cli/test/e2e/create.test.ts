/**
 * `model-archiver [create]` end to end: the built binary in temp dirs (see cli-harness.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { errorCodeOf, jsonOf, readTgz, readZip, runCli, sorted, spawnCli, tempDir } from './cli-harness.js';

const SVC_MJS = 'export async function handle(batch) {\n  return batch.map(() => ({ ok: true }));\n}\n';
const SVC_PY = 'def handle(data, context):\n    return ["ok"] * len(data or [])\n';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('create'));
});
afterEach(async () => cleanup());

async function manifestOf(archive: string): Promise<Record<string, unknown>> {
  const { members } = await readZip(archive);
  return JSON.parse(members.get('MAR-INF/MANIFEST.json')?.data.toString('utf8') ?? 'null') as Record<string, unknown>;
}

describe('the used-by line: model-archiver --model-name x --handler svc:handle --export-path out', () => {
  it('packs svc.mjs from the current folder into out/x.mar with the node flavour and prints one line', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--export-path', 'out'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stdout.startsWith('Created out/x.mar (node flavour')).toBe(true);
    const { names } = await readZip(join(dir, 'out/x.mar'));
    expect(names).toContain('svc.mjs');
    expect(names).toContain('MAR-INF/MANIFEST.json');
    expect(names).toContain('MAR-INF/integrity.json');
    expect((await manifestOf(join(dir, 'out/x.mar'))).runtime).toBe('node');
  });

  it('packs svc.py with a python flavour', async () => {
    await writeFile(join(dir, 'svc.py'), SVC_PY);
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--export-path', 'out', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = jsonOf(run);
    expect(result.ok).toBe(true);
    expect(result.flavour).not.toBe('node');
    const { names } = await readZip(join(dir, 'out/x.mar'));
    expect(names).toContain('svc.py');
    expect((await manifestOf(join(dir, 'out/x.mar'))).runtime).toBe('python');
  });

  it('is also reachable as the named command `create`', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    const run = await runCli(['create', '--model-name', 'x', '--handler', 'svc:handle', '--quiet'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
    expect(existsSync(join(dir, 'x.mar'))).toBe(true);
  });
});

describe('--json', () => {
  it('prints the build result with ok true, the entries and the flavour reason', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = jsonOf(run);
    expect(result).toMatchObject({ ok: true, outputPath: join(dir, 'x.mar'), format: 'default', replaced: false });
    expect(typeof result.flavourReason).toBe('string');
    const entries = result.entries as { path: string; sha256: string }[];
    expect(entries.map((entry) => entry.path)).toContain('svc.mjs');
    expect(entries.every((entry) => /^[0-9a-f]{64}$/.test(entry.sha256))).toBe(true);
  });
});

describe('TorchServe flags', () => {
  it("writes -v as the model version and puts extra folders' children at the root unless --keep-extra-paths", async () => {
    await writeFile(join(dir, 'handler.py'), SVC_PY);
    await writeFile(join(dir, 'model.pt'), 'weights');
    await mkdir(join(dir, 'assets/inner'), { recursive: true });
    await writeFile(join(dir, 'assets/inner/vocab.txt'), 'a b c');
    const common = ['--model-name', 'm', '-v', '2.0', '--serialized-file', 'model.pt', '--handler', 'handler.py'];
    const kept = await runCli([...common, '--extra-files', 'assets', '--keep-extra-paths', '--export-path', 'kept'], dir);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect((await readZip(join(dir, 'kept/m.mar'))).names).toContain('assets/inner/vocab.txt');
    expect(((await manifestOf(join(dir, 'kept/m.mar'))).model as Record<string, unknown>).modelVersion).toBe('2.0');
    const flat = await runCli([...common, '--extra-files', 'assets', '--export-path', 'flat'], dir);
    expect(flat.exitCode, flat.stderr).toBe(0);
    expect((await readZip(join(dir, 'flat/m.mar'))).names).toContain('inner/vocab.txt');
  });

  it('warns, and lint --max-warnings 0 fails with MA025, when --keep-extra-paths hides index_to_name.json', async () => {
    await writeFile(join(dir, 'model.pt'), 'weights');
    await mkdir(join(dir, 'serve/examples/image_classifier'), { recursive: true });
    await writeFile(join(dir, 'serve/examples/image_classifier/index_to_name.json'), '{"0": ["n02123045", "tabby"]}');
    const args = ['--model-name', 'ic', '-v', '1.0', '--serialized-file', 'model.pt', '--handler', 'image_classifier',
      '--extra-files', 'serve/examples/image_classifier/index_to_name.json'];
    const kept = await runCli([...args, '--keep-extra-paths', '--export-path', 'kept', '--json'], dir);
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect((jsonOf(kept).warnings as string[]).some((w) => w.includes('index_to_name.json'))).toBe(true);
    const lintKept = await runCli(['lint', 'kept/ic.mar', '--max-warnings', '0', '--json'], dir);
    expect(lintKept.exitCode).toBe(1);
    const findings = (jsonOf(lintKept).results as { findings: { ruleId: string }[] }[])[0]?.findings ?? [];
    expect(findings.map((f) => f.ruleId)).toContain('MA025');

    const flat = await runCli([...args, '--export-path', 'flat', '--json'], dir);
    expect(flat.exitCode, flat.stderr).toBe(0);
    expect(jsonOf(flat).warnings).toEqual([]);
    expect((await readZip(join(dir, 'flat/ic.mar'))).names).toContain('index_to_name.json');
    expect((await runCli(['lint', 'flat/ic.mar', '--max-warnings', '0'], dir)).exitCode).toBe(0);
  });

  it('writes a .tar.gz with the model name as its root folder', async () => {
    await writeFile(join(dir, 'handler.py'), SVC_PY);
    const run = await runCli(['--model-name', 'm', '-v', '1', '--handler', 'handler.py', '--archive-format', 'tgz'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const { names } = await readTgz(join(dir, 'm.tar.gz'));
    expect(names.every((name) => name.startsWith('m/'))).toBe(true);
    expect(names).toContain('m/MAR-INF/MANIFEST.json');
  });
});

describe('existing outputs', () => {
  it('refuses to overwrite without -f (OUTPUT_EXISTS, exit 5) and keeps the old file', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    await writeFile(join(dir, 'x.mar'), 'old');
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--json'], dir);
    expect(run.exitCode).toBe(5);
    expect(errorCodeOf(run)).toBe('OUTPUT_EXISTS');
    expect(await readFile(join(dir, 'x.mar'), 'utf8')).toBe('old');
  });

  it('replaces it with -f and says so', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    await writeFile(join(dir, 'x.mar'), 'old');
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '-f', '--json'], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(jsonOf(run).replaced).toBe(true);
    expect((await readZip(join(dir, 'x.mar'))).names).toContain('svc.mjs');
    expect(sorted(await readdir(dir))).toEqual(['svc.mjs', 'x.mar']);
  });
});

describe('failing builds', () => {
  it('refuses a bad model name with MODEL_NAME_INVALID (exit 3) and writes nothing', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    const run = await runCli(['--model-name=-bad', '--handler', 'svc:handle', '--export-path', 'out', '--json'], dir);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('MODEL_NAME_INVALID');
    expect(existsSync(join(dir, 'out')) ? await readdir(join(dir, 'out')) : []).toEqual([]);
  });

  it('reports a missing extra file with INPUT_NOT_FOUND (exit 4) and leaves no partial archive', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--extra-files', 'nope.json'], dir);
    expect(run.exitCode).toBe(4);
    expect(run.stderr.startsWith('model-archiver: error INPUT_NOT_FOUND: ')).toBe(true);
    expect(await readdir(dir)).toEqual(['svc.mjs']);
  });

  it('reports a missing model path with exit 4', async () => {
    const run = await runCli(['--model-name', 'x', '--model-path', 'missing', '--handler', 'h:handle', '--json'], dir);
    expect(run.exitCode).toBe(4);
    expect(['INPUT_NOT_FOUND', 'INPUT_NOT_DIRECTORY']).toContain(errorCodeOf(run));
  });
});

describe('usage errors exit 2', () => {
  it.each([
    ['a missing --handler', ['--model-name', 'x'], 'handler'],
    ['a missing --model-name', ['--handler', 'svc:handle'], 'model-name'],
    ['an unknown flag', ['--model-name', 'x', '--handler', 'h', '--bogus'], 'bogus'],
    ['an underscore flag (argparse and yargs want dashes)', ['--model_name', 'x', '--handler', 'h'], 'model-name'],
    ['a stray argument', ['--model-name', 'x', '--handler', 'h', 'stray'], 'stray'],
    ['a bad --archive-format', ['--model-name', 'x', '--handler', 'h', '--archive-format', 'rar'], 'archive-format'],
  ])('for %s, naming it', async (_label, args, named) => {
    const run = await runCli(args, dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(named);
    expect(await readdir(dir)).toEqual([]);
  });

  it('for the MMS --convert flag, with INVALID_OPTION in JSON', async () => {
    const run = await runCli(['--model-name', 'x', '--handler', 'h', '--convert', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(errorCodeOf(run)).toBe('INVALID_OPTION');
  });

  it('for a usage error with --json, as a JSON error document', async () => {
    const run = await runCli(['--model-name', 'x', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(jsonOf(run)).toMatchObject({ ok: false, exitCode: 2, error: { code: 'INVALID_OPTION' } });
  });
});

describe('tool version and help', () => {
  it('shows the tool version with --tool-version', async () => {
    const run = await runCli(['--tool-version'], dir);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists the create flags in --help', async () => {
    const run = await runCli(['--help'], dir);
    expect(run.exitCode).toBe(0);
    for (const flag of ['--model-name', '--handler', '--version', '--extra-files', '--flavour', '--tool-version']) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('progress', () => {
  it('writes plain progress lines with speed and ETA to a non-terminal stderr for inputs over 64 MiB', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    await writeFile(join(dir, 'big.bin'), '');
    await truncate(join(dir, 'big.bin'), 65 * 1024 ** 2);
    const run = await runCli(['--model-name', 'x', '--handler', 'svc:handle', '--extra-files', 'big.bin', '--compression', 'store'], dir, { CI: 'true' });
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('progress: '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toContain('100%');
    expect(run.stderr).not.toContain('\r');
    expect(run.stdout.startsWith('Created x.mar')).toBe(true);
  });
});

describe('Ctrl-C', () => {
  it('stops a running build on SIGINT with exit 130 and leaves nothing in the export path', async () => {
    await writeFile(join(dir, 'svc.mjs'), SVC_MJS);
    await writeFile(join(dir, 'big.bin'), '');
    await truncate(join(dir, 'big.bin'), 4 * 1024 ** 3); // sparse: no disk space, seconds of hashing
    const args = ['--model-name', 'x', '--handler', 'svc:handle', '--extra-files', 'big.bin', '--export-path', 'out'];
    const { child, done } = spawnCli([...args, '--compression', 'store'], dir);
    // Wait until the build has started writing (its temporary output appears), then interrupt it.
    for (let i = 0; i < 200 && !(existsSync(join(dir, 'out')) && (await readdir(join(dir, 'out'))).length > 0); i += 1) {
      await sleep(25);
    }
    child.kill('SIGINT');
    const run = await done;
    expect(run.exitCode).toBe(130);
    expect(run.stderr).toContain('ABORTED');
    expect(existsSync(join(dir, 'out')) ? await readdir(join(dir, 'out')) : []).toEqual([]);
  });
});
