import { describe, expect, it } from 'vitest';

import { parseCli, parseModelSpec } from '../src/cli/parse-cli.js';
import { resolveServerConfig } from '../src/server-config.js';

const parse = (argv: string[]): ReturnType<typeof parseCli> => parseCli(argv, '9.9.9', () => {});

describe('parseModelSpec', () => {
  it('splits name=path and keeps a bare path', () => {
    expect(parseModelSpec('cls=a/b=c.mar')).toEqual({ name: 'cls', path: 'a/b=c.mar' });
    expect(parseModelSpec('model.mar')).toEqual({ path: 'model.mar' });
  });

  it('refuses a name without a path', () => {
    expect(() => parseModelSpec('cls=')).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('parseCli', () => {
  it('applies the documented defaults', async () => {
    const settings = await parse(['--models', 'a=a.mar', 'b.mar']);
    expect(settings?.options).toMatchObject({
      models: [{ name: 'a', path: 'a.mar' }, { path: 'b.mar' }],
      host: '127.0.0.1',
      inferencePort: 8080,
      managementPort: 8081,
      metricsPort: 8082,
      maxRequestSize: 6_553_500,
      maxResponseSize: 6_553_500,
      maxUrlLength: 8192,
      maxHeaderSize: 16_384,
      tokenAuth: true,
      modelDefaults: { batchSize: 1, maxBatchDelay: 100, responseTimeout: 120_000, queueSize: 100, memoryLimit: 0 },
    });
    // No --workers: startup models get 1 worker, POST /models without initial_workers 0 (TorchServe's default).
    expect(settings?.options.defaultWorkers).toBeUndefined();
    const config = resolveServerConfig(settings!.options);
    expect([config.modelDefaults.minWorkers, config.registerWorkers]).toEqual([1, 0]);
    expect(config.runner.builtinPlacement).toBe('thread');
    expect(settings?.logFormat).toBe('text');
  });

  it('reads where built-in handlers run; the older builtinThreads: false still means processes', async () => {
    for (const placement of ['main', 'thread', 'process'] as const) {
      const settings = await parse(['--builtin-placement', placement]);
      expect(resolveServerConfig(settings!.options).runner.builtinPlacement).toBe(placement);
    }
    expect(resolveServerConfig({ builtinThreads: false }).runner.builtinPlacement).toBe('process');
    expect(resolveServerConfig({ builtinThreads: false, builtinPlacement: 'main' }).runner.builtinPlacement).toBe('main');
  });

  it('reads ports, batching and JSON logs', async () => {
    const settings = await parse(['--inference-port', '0', '--batch-size', '8', '--max-batch-delay', '5', '--log-format', 'json', '--no-verify-integrity']);
    expect(settings?.options).toMatchObject({ inferencePort: 0, verifyIntegrity: false, modelDefaults: { batchSize: 8, maxBatchDelay: 5 } });
    expect(settings?.logFormat).toBe('json');
  });

  it('refuses bad values and unknown flags with INVALID_OPTION', async () => {
    await expect(parse(['--inference-port', '70000'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--batch-size', '0'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--nope'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--builtin-placement', 'gpu'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--max-url-length', '10'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--max-header-size', '100'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(parse(['--max-response-size', '0'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('answers --version without starting', async () => {
    let printed = '';
    expect(await parseCli(['--version'], '9.9.9', (text) => (printed += text))).toBeUndefined();
    expect(printed).toContain('9.9.9');
  });
});
