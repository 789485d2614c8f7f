import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { parseCli } from '../src/cli/parse-cli.js';
import {
  DEFAULT_MODEL_SETTINGS,
  MODEL_SETTING_SPELLINGS,
  ModelSettingsSchema,
  parseInitialWorkers,
  parseModelSetting,
  parseModelSettings,
  parseRegisterSettings,
  parseScaleWorkers,
  torchServeBoolean,
  torchServeInt,
} from '../src/model-settings.js';
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

  describe("the management API's TorchServe rules", () => {
    it("reads integers and booleans as Java's parseInt and parseBoolean do", () => {
      expect([torchServeInt('12'), torchServeInt('-1'), torchServeInt('+3'), torchServeInt(' 4 ')]).toEqual([12, -1, 3, 4]);
      expect([torchServeInt('dd'), torchServeInt('1.5'), torchServeInt(''), torchServeInt('99999999999'), torchServeInt(undefined)]).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect([torchServeBoolean('true', false), torchServeBoolean('TRUE', false), torchServeBoolean('-1', true), torchServeBoolean('Nan', true), torchServeBoolean(undefined, true)]).toEqual([true, true, false, false, true]);
    });

    it('falls back to the defaults for non-integer and negative register values, and keeps the limits for the rest', () => {
      expect(parseRegisterSettings({ batchSize: 'dd', maxBatchDelay: 'junk', responseTimeout: '-1', startupTimeout: '0' })).toEqual({ startupTimeout: 0 });
      expect(parseRegisterSettings({ batchSize: '8', responseTimeout: '2' })).toEqual({ batchSize: 8, responseTimeout: 2000 });
      expect(() => parseRegisterSettings({ batchSize: '5000' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { parameter: 'batch_size' } }));
      expect([parseInitialWorkers(-1, 1), parseInitialWorkers('x', 2), parseInitialWorkers(3, 0)]).toEqual([0, 2, 3]);
      expect(() => parseInitialWorkers(65, 0)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });

    it('scales to min_worker 1 by default, max to min, 400 below min and 500 for a negative min', () => {
      expect(parseScaleWorkers(undefined, undefined)).toEqual({ minWorkers: 1, maxWorkers: 1 });
      expect(parseScaleWorkers('nan', undefined)).toEqual({ minWorkers: 1, maxWorkers: 1 });
      expect(parseScaleWorkers('0', undefined)).toEqual({ minWorkers: 0, maxWorkers: 0 });
      expect(parseScaleWorkers('2', '4')).toEqual({ minWorkers: 2, maxWorkers: 4 });
      expect(() => parseScaleWorkers('2', '1')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { parameter: 'max_worker' } }));
      expect(() => parseScaleWorkers(undefined, '-1')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      expect(() => parseScaleWorkers('-1', undefined)).toThrow(expect.objectContaining({ code: 'WORKER_COUNT_INVALID' }));
    });
  });
});
