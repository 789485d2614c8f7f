import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { parseCli } from '../src/cli/parse-cli.js';
import { readTsConfig } from '../src/cli/ts-config.js';
import { tempDir } from './helpers.js';

const cli = (argv: string[]): ReturnType<typeof parseCli> => parseCli(argv, '9.9.9', () => {});

describe('config.properties (--ts-config)', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  const write = async (name: string, text: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    await mkdir(path.join(dir, 'store'));
    await writeFile(path.join(dir, 'store', 'b.mar'), '');
    await writeFile(path.join(dir, 'store', 'a.tar.gz'), '');
    await writeFile(path.join(dir, 'store', 'notes.txt'), '');
  });
  afterAll(() => cleanup());

  it('reads the keys TorchServe users set, in Java properties syntax', async () => {
    const file = await write(
      'config.properties',
      [
        '# TorchServe config',
        'inference_address=http://0.0.0.0:18080',
        'management_address = http://127.0.0.1:18081',
        'metrics_address: http://127.0.0.1:18082',
        'model_store=store',
        'load_models=cls=b.mar, a.tar.gz',
        'default_workers_per_model=2',
        'job_queue_size=50',
        'max_request_size=1000000',
        'default_response_timeout=30',
        'number_of_netty_threads=4',
        'vmargs=-Xmx4g \\',
        '  -XX:+UseG1GC',
      ].join('\n'),
    );
    const config = readTsConfig(file);
    expect(config.flags).toEqual({
      host: '0.0.0.0',
      'inference-port': 18080,
      'management-host': '127.0.0.1',
      'management-port': 18081,
      'metrics-host': '127.0.0.1',
      'metrics-port': 18082,
      'model-store': path.join(dir, 'store'),
      models: ['cls=b.mar', 'a.tar.gz'],
      workers: 2,
      'queue-size': 50,
      'max-request-size': 1_000_000,
      'response-timeout': 30,
    });
    expect(config.ignored).toEqual(['number_of_netty_threads', 'vmargs']);
  });

  it('reads the token authorization and answer size keys', async () => {
    const file = await write('token.properties', 'disable_token_authorization=true\ntoken_expiration_min=30\nmax_response_size=1024\n');
    expect(readTsConfig(file).flags).toEqual({ 'disable-token-auth': true, 'token-expiration': 30, 'max-response-size': 1024 });
    expect((await cli(['--ts-config', file]))?.options).toMatchObject({ tokenAuth: false, tokenExpiration: 30, maxResponseSize: 1024 });
  });

  it('reads enable_model_api; --enable-model-api or TS_ENABLE_MODEL_API=true turn model API control on, which is off by default', async () => {
    const on = await write('model-api-on.properties', 'enable_model_api=true\n');
    const off = await write('model-api-off.properties', 'enable_model_api=false\n');
    expect(readTsConfig(on).flags).toEqual({ 'enable-model-api': true });
    expect(readTsConfig(off).flags).toEqual({ 'enable-model-api': false });
    vi.stubEnv('TS_ENABLE_MODEL_API', undefined);
    try {
      expect((await cli([]))?.options.enableModelApi).toBe(false);
      expect((await cli(['--ts-config', on]))?.options.enableModelApi).toBe(true);
      expect((await cli(['--ts-config', off]))?.options.enableModelApi).toBe(false);
      // The command line wins over the file: on over false (TorchServe's rule), and off over true.
      expect((await cli(['--ts-config', off, '--enable-model-api']))?.options.enableModelApi).toBe(true);
      expect((await cli(['--ts-config', on, '--no-enable-model-api']))?.options.enableModelApi).toBe(false);
      expect((await cli(['--enable-model-api']))?.options.enableModelApi).toBe(true);
      vi.stubEnv('TS_ENABLE_MODEL_API', 'TRUE');
      expect((await cli([]))?.options.enableModelApi).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('expands load_models=all to the archives of the model store', async () => {
    const file = await write('all.properties', 'model_store=store\nload_models=all\n');
    expect(readTsConfig(file).flags.models).toEqual(['a.tar.gz', 'b.mar']);
  });

  it('counts folders (unpacked archives) as models of the store, and leaves hidden entries and other files out', async () => {
    const store = path.join(dir, 'mixed');
    await mkdir(path.join(store, 'unpacked'), { recursive: true });
    await mkdir(path.join(store, '.cache'));
    await writeFile(path.join(store, 'c.zip'), '');
    await writeFile(path.join(store, '.hidden.mar'), '');
    await writeFile(path.join(store, 'readme.md'), '');
    const file = await write('mixed.properties', 'model_store=mixed\nload_models=all\n');
    expect(readTsConfig(file).flags.models).toEqual(['c.zip', 'unpacked']);
    expect((await cli(['--model-store', store, '--models', 'all']))?.options.models).toEqual([{ path: 'c.zip' }, { path: 'unpacked' }]);
  });

  it('refuses https addresses, non-integers and a missing file with codes', async () => {
    expect(() => readTsConfig(path.join(dir, 'nope.properties'))).toThrow(expect.objectContaining({ code: 'INPUT_NOT_FOUND' }));
    const tls = await write('tls.properties', 'inference_address=https://127.0.0.1:8443\n');
    expect(() => readTsConfig(tls)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: expect.objectContaining({ parameter: 'inference_address' }) }));
    const words = await write('words.properties', 'job_queue_size=many\n');
    expect(() => readTsConfig(words)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: expect.objectContaining({ parameter: 'job_queue_size' }) }));
  });

  it('the command line wins over the file, and the file over the defaults', async () => {
    const file = await write('cli.properties', 'inference_address=http://127.0.0.1:18080\nmanagement_address=http://127.0.0.1:18081\njob_queue_size=7\ndefault_workers_per_model=3\n');
    const settings = await cli(['--ts-config', file, '--management-port', '0']);
    expect(settings?.options).toMatchObject({ inferencePort: 18080, managementPort: 0, managementHost: '127.0.0.1', defaultWorkers: 3, modelDefaults: { queueSize: 7 } });
    const mms = await cli([`--mms-config=${file}`]);
    expect(mms?.options).toMatchObject({ inferencePort: 18080, managementPort: 18081 });
  });

  it('parses --start, --stop and --models all', async () => {
    expect(await cli(['--start', '--pid-file', path.join(dir, 'x.pid')])).toMatchObject({ mode: 'start', pidFile: path.join(dir, 'x.pid'), serveArgs: ['--pid-file', path.join(dir, 'x.pid')] });
    expect(await cli(['--stop'])).toMatchObject({ mode: 'stop' });
    await expect(cli(['--start', '--stop'])).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    const all = await cli(['--model-store', path.join(dir, 'store'), '--models', 'all']);
    expect(all?.options.models).toEqual([{ path: 'a.tar.gz' }, { path: 'b.mar' }]);
  });
});
