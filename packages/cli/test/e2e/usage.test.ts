/** Command-line mistakes: unknown commands and flags are named with a suggestion, `--version` is explained. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { jsonOf, runCli, tempDir } from './cli-harness.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, cleanup } = await tempDir('usage')));
afterAll(async () => cleanup());

interface UsageDoc {
  ok: boolean;
  exitCode: number;
  error: { code: string; details: Record<string, unknown> };
}
const usageDoc = (run: Parameters<typeof jsonOf>[0]): UsageDoc => jsonOf(run) as unknown as UsageDoc;

describe('unknown commands', () => {
  it('suggests the closest command for a typo (inspct -> inspect), exit 2', async () => {
    const run = await runCli(['inspct', 'model.mar', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(usageDoc(run).error).toMatchObject({ code: 'INVALID_OPTION', details: { command: 'inspct', suggestion: 'inspect' } });
    const text = await runCli(['inspct', 'model.mar'], dir);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain('inspect?');
  });

  it('lists the commands when nothing is close', async () => {
    const run = await runCli(['frobnicate', '--json'], dir);
    expect(run.exitCode).toBe(2);
    const { details } = usageDoc(run).error;
    expect(details['suggestion']).toBeUndefined();
    expect(details['commands']).toEqual(expect.arrayContaining(['create', 'inspect', 'lint', 'completion']));
  });
});

describe('unknown flags', () => {
  it('names the flag with dashes and suggests the closest flag of the command', async () => {
    const run = await runCli(['inspect', 'model.mar', '--jsno', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(usageDoc(run).error.details).toMatchObject({ flags: ['--jsno'], suggestions: { '--jsno': '--json' } });
  });

  it('suggests create flags for the default command, camel-case twins left out', async () => {
    const run = await runCli(['--model-name', 'x', '--handler', 'h', '--serialised-file', 'm.pt', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(usageDoc(run).error.details).toMatchObject({
      flags: ['--serialised-file'],
      suggestions: { '--serialised-file': '--serialized-file' },
    });
  });

  it('tells a stray argument from an unknown flag', async () => {
    const run = await runCli(['inspect', 'a.mar', 'b.mar', '--json'], dir);
    expect(run.exitCode).toBe(2);
    expect(usageDoc(run).error.details).toMatchObject({ flags: [], arguments: ['b.mar'] });
  });
});

describe('versions', () => {
  it('-V and --tool-version print the tool version', async () => {
    for (const flag of ['-V', '--tool-version']) {
      const run = await runCli([flag], dir);
      expect(run.exitCode).toBe(0);
      expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('--version alone prints the tool version and a hint naming both meanings on stderr', async () => {
    const run = await runCli(['--version'], dir);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toBe((await runCli(['-V'], dir)).stdout.trim());
    expect(run.stderr).toContain('--model-version');
    expect(run.stderr).toContain('--tool-version');
  });

  it('a create run whose --version has no value is a usage error carrying the same hint', async () => {
    const run = await runCli(['--model-name', 'x', '--handler', 'h', '--version'], dir);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--tool-version');
  });
});

describe('completion', () => {
  it('prints a shell completion script, and the script gets the commands and flags back', async () => {
    const script = await runCli(['completion'], dir);
    expect(script.exitCode).toBe(0);
    expect(script.stdout).toContain('--get-yargs-completions');
    const commands = await runCli(['--get-yargs-completions', 'model-archiver', ''], dir);
    expect(commands.stdout.split('\n')).toEqual(expect.arrayContaining(['inspect', 'verify', 'lint', 'predict']));
    const flags = await runCli(['--get-yargs-completions', 'model-archiver', 'inspect', '--'], dir);
    expect(flags.stdout.split('\n')).toContain('--json');
  });
});
