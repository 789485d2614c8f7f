import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { parseCli } from '../src/cli/parse-cli.js';
import { DEFAULT_MODEL_SETTINGS, MODEL_SETTING_SPELLINGS, ModelSettingsSchema, parseModelSetting, parseModelSettings } from '../src/model-settings.js';
import { BIN } from './helpers.js';

const cli = (argv: string[]): ReturnType<typeof parseCli> => parseCli(argv, '9.9.9', () => {});

describe('ModelSettings: one set of limits', () => {
  it('the defaults satisfy the schema', () => {
    expect(ModelSettingsSchema.parse(DEFAULT_MODEL_SETTINGS)).toEqual(DEFAULT_MODEL_SETTINGS);
  });

  // [setting, value in the user's unit, accepted?]
  const cases: [keyof typeof MODEL_SETTING_SPELLINGS, string, boolean][] = [
    ['batchSize', '1', true],
    ['batchSize', '1024', true],
    ['batchSize', '1025', false],
    ['batchSize', '0', false],
    ['batchSize', '1.5', false],
    ['batchSize', 'eight', false],
    ['maxBatchDelay', '0', true],
    ['maxBatchDelay', '-1', false],
    ['maxBatchDelay', '2.5', false],
    ['minWorkers', '0', true],
    ['minWorkers', '65', false],
    ['queueSize', '0', false],
    ['responseTimeout', '0.5', true],
    ['responseTimeout', '0', false],
    ['responseTimeout', '86401', false],
    ['memoryLimit', '0', true],
    ['memoryLimit', '512', true],
    ['memoryLimit', '1048576', true],
    ['memoryLimit', '1048577', false],
    ['memoryLimit', '-1', false],
    ['memoryLimit', '0.5', false],
  ];

  it.each(cases)('%s = %s: accepted %s, the same as a flag and as an API parameter', (key, value, accepted) => {
    for (const source of ['flag', 'param'] as const) {
      const parse = (): unknown => parseModelSettings({ [key]: value }, source);
      if (accepted) expect(parse()).toEqual({ [key]: Number(value) * MODEL_SETTING_SPELLINGS[key].scale });
      else {
        const name = source === 'flag' ? `--${MODEL_SETTING_SPELLINGS[key].flag}` : MODEL_SETTING_SPELLINGS[key].param;
        expect(parse).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { parameter: name } }));
      }
    }
  });

  it('leaves absent values out and refuses max below min', () => {
    expect(parseModelSettings({ batchSize: undefined, queueSize: '' }, 'param')).toEqual({});
    expect(() => parseModelSettings({ minWorkers: 4, maxWorkers: 2 }, 'param')).toThrow(expect.objectContaining({ details: { parameter: 'max_worker' } }));
    expect(() => parseModelSetting('minWorkers', 'x', 'initial_workers')).toThrow(expect.objectContaining({ details: { parameter: 'initial_workers' } }));
  });

  it('the server command line applies them', async () => {
    await expect(cli(['--batch-size', '1.5'])).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { parameter: '--batch-size' } });
    await expect(cli(['--batch-size', '2000'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(cli(['--workers', '2', '--max-workers', '1'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(cli(['--worker-memory-limit', '-5'])).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { parameter: '--worker-memory-limit' } });
    const settings = await cli(['--workers', '2', '--max-workers', '3', '--response-timeout', '1.5', '--worker-memory-limit', '256']);
    expect(settings?.options).toMatchObject({ defaultWorkers: 2, modelDefaults: { maxWorkers: 3, responseTimeout: 1500, memoryLimit: 256 } });
  });

  it('model-server --batch-size 1.5 exits 2 before starting anything', () => {
    const run = spawnSync(process.execPath, [BIN, '--batch-size', '1.5', '--inference-port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--batch-size');
  });
});
