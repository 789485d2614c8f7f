import os from 'node:os';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import yargs from 'yargs';

import { BUILTIN_PLACEMENTS } from '../builtin-placement.js';
import type { LogFormat, LogLevel } from '../logger.js';
import { DEFAULT_MODEL_SETTINGS, parseModelSettings } from '../model-settings.js';
import { listModelStoreSync } from '../model-store.js';
import { DEFAULT_TOKEN_EXPIRATION_MINUTES, KEY_FILE_NAME } from '../options.js';
import type { ServerOptions, StartupModel } from '../options.js';
import { readTsConfig } from './ts-config.js';

/**
 * What the command line asks: `serve` in the foreground (the default), `start` a detached server (`--start`),
 * `foreground` (`--start --foreground`: serve here, with the pid file, as TorchServe's `--foreground`) or `stop` the
 * one named by the pid file (`--stop`).
 */
export type CliMode = 'serve' | 'start' | 'foreground' | 'stop';

/** Settings of the `model-server` command line, beyond {@link ServerOptions}. */
export interface CliSettings {
  mode: CliMode;
  options: Omit<ServerOptions, 'logger'>;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** Where `--start` records the server's pid and `--stop` reads it. */
  pidFile: string;
  /** Where a server started with `--start` writes its log. */
  logFile: string;
  /** The arguments a `--start` passes on to the detached server (these, without `--start`). */
  serveArgs: string[];
  /** `config.properties` keys that were not used (logged as a warning at start). */
  ignoredConfigKeys: string[];
}

/** TorchServe's pid file: `<tmpdir>/.model_server.pid`. */
export const DEFAULT_PID_FILE = path.join(os.tmpdir(), '.model_server.pid');

/** Whether a TorchServe environment switch (`TS_...`) is set to `true`, in any case. */
const envTrue = (name: string): boolean => process.env[name]?.toLowerCase() === 'true';

/** The value of `--ts-config`/`--mms-config` (`--flag file` or `--flag=file`), read before yargs parses the rest. */
const configFileOf = (argv: readonly string[]): string | undefined => {
  let file: string | undefined;
  argv.forEach((arg, index) => {
    const match = /^--(?:ts|mms)-config(?:=(.*))?$/.exec(arg);
    if (match !== null) file = match[1] ?? argv[index + 1];
  });
  return file;
};

/** `--models all` (TorchServe): every archive or folder in the model store (see model-store.ts). */
const expandAll = (models: string[], modelStore: string | undefined): string[] => {
  if (models.length !== 1 || models[0]?.toLowerCase() !== 'all') return models;
  if (modelStore === undefined) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, '--models all needs --model-store', { details: { parameter: '--models' } });
  return listModelStoreSync(modelStore).map((model) => model.entry);
};

/** Parses `name=path` or a bare `path` (`--models`). */
export const parseModelSpec = (spec: string): StartupModel => {
  const eq = spec.indexOf('=');
  if (eq <= 0) return { path: spec };
  const name = spec.slice(0, eq);
  const path = spec.slice(eq + 1);
  if (path === '') throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `--models ${spec}: missing path after "="`);
  return { name, path };
};

/**
 * Parses the `model-server` arguments (yargs). Returns `undefined` when `--help` or `--version` was answered.
 * Throws `INVALID_OPTION` for bad flags.
 */
export const parseCli = async (argv: readonly string[], version: string, print: (text: string) => void): Promise<CliSettings | undefined> => {
  let answered = false;
  const configFile = configFileOf(argv);
  const tsConfig = configFile === undefined ? { flags: {}, ignored: [] } : readTsConfig(path.resolve(configFile));
  const parser = yargs([...argv])
    .scriptName('model-server')
    .usage(
      '$0 [--start|--stop] [--ts-config config.properties] --models name=path.mar [name2=dir ...] [options]\n\nServe model archives over the TorchServe/MMS and Open Inference Protocol HTTP APIs.',
    )
    .option('start', { type: 'boolean', default: false, describe: 'Start the server detached (pid file, log file), wait until its ports answer, and exit' })
    .option('foreground', { type: 'boolean', default: false, describe: 'With --start: serve in this process (pid file written, removed on exit)' })
    .option('stop', { type: 'boolean', default: false, describe: 'Stop the server named by the pid file (SIGTERM, then wait)' })
    .option('ts-config', { type: 'string', alias: 'mms-config', describe: 'TorchServe/MMS config.properties (flags given on the command line win)' })
    .option('pid-file', { type: 'string', default: DEFAULT_PID_FILE, describe: 'Pid file of --start and --stop' })
    .option('log-file', { type: 'string', default: path.join('logs', 'model_server.log'), describe: 'Log file of a server started with --start' })
    .option('models', { type: 'string', array: true, default: [] as string[], describe: 'Models to load at start: name=path or path (path relative to the cwd, else to --model-store)' })
    .option('model-store', { type: 'string', describe: 'Folder from which POST /models may register archives' })
    .option('allowed-path', { type: 'string', array: true, default: [] as string[], describe: 'Extra file or folder outside the model store that POST /models may register from' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Bind address' })
    .option('management-host', { type: 'string', describe: 'Bind address of the management API (default --host)' })
    .option('metrics-host', { type: 'string', describe: 'Bind address of the metrics API (default --host)' })
    .option('inference-port', { type: 'number', default: 8080 })
    .option('management-port', { type: 'number', default: 8081 })
    .option('metrics-port', { type: 'number', default: 8082 })
    .option('workers', { type: 'number', describe: 'Worker processes per model (TorchServe default_workers_per_model): startup models 1, POST /models without initial_workers 0 unless given' })
    .option('max-workers', { type: 'number', describe: 'Upper bound recorded for scaling (default: --workers)' })
    .option('batch-size', { type: 'number', default: DEFAULT_MODEL_SETTINGS.batchSize, describe: 'Default largest batch per model' })
    .option('max-batch-delay', { type: 'number', default: DEFAULT_MODEL_SETTINGS.maxBatchDelay, describe: 'Default wait (ms) for a batch to fill' })
    .option('response-timeout', { type: 'number', default: DEFAULT_MODEL_SETTINGS.responseTimeout / 1000, describe: 'Per-request timeout in seconds; a batch past it kills its worker' })
    .option('queue-size', { type: 'number', default: DEFAULT_MODEL_SETTINGS.queueSize, describe: 'Requests waiting per model before 503' })
    .option('max-request-size', { type: 'number', default: 6_553_500, describe: 'Largest request body in bytes (413 above)' })
    .option('max-response-size', { type: 'number', default: 6_553_500, describe: 'Largest answer body in bytes a handler may send (500 RESPONSE_TOO_LARGE above)' })
    .option('max-url-length', { type: 'number', default: 8192, describe: 'Longest request target in bytes (414 above)' })
    .option('max-header-size', { type: 'number', default: 16_384, describe: 'Largest request head in bytes (431 above)' })
    .option('worker-memory-limit', { type: 'number', default: 0, describe: 'Resident memory (MiB) per worker before it is recycled (0: no limit)' })
    .option('disable-token-auth', { type: 'boolean', default: false, alias: 'disable-token', describe: 'Serve without token authorization (also TS_DISABLE_TOKEN_AUTHORIZATION=true)' })
    .option('enable-model-api', {
      type: 'boolean',
      default: false,
      describe: 'Allow registering and unregistering models while the server runs: POST /models, DELETE /models/..., the v2 repository load/unload (also TS_ENABLE_MODEL_API=true)',
    })
    .option('key-file', { type: 'string', default: KEY_FILE_NAME, describe: 'Where the API keys are written (mode 0600) at start' })
    .option('token-expiration', { type: 'number', default: DEFAULT_TOKEN_EXPIRATION_MINUTES, describe: 'Minutes until the management and inference keys expire' })
    .option('startup-timeout', { type: 'number', default: 120, describe: 'Seconds a worker may take to load its model' })
    .option('shutdown-timeout', { type: 'number', default: 30, describe: 'Seconds to finish in-flight requests on SIGTERM/SIGINT' })
    .option('intra-op-threads', { type: 'number', default: 0, describe: "ONNX Runtime threads per worker session (0: ONNX Runtime's default)" })
    .option('python', { type: 'string', describe: 'Python interpreter for archives with a Python handler (default: $PYTHON, else python3 on the PATH)' })
    .option('install-requirements', { type: 'boolean', default: false, describe: "Install a Python archive's requirements.txt into a virtual environment of the model's own (default: only log it)" })
    .option('builtin-placement', {
      choices: BUILTIN_PLACEMENTS,
      default: 'thread' as const,
      describe: 'Where built-in handlers (onnx, image_classifier) run: worker threads, the main thread (no hop; a run blocks the event loop) or worker processes',
    })
    .option('verify-integrity', { type: 'boolean', default: true, describe: 'Check archive integrity records on load' })
    .option('allow-unverified', { type: 'boolean', default: false, describe: 'Load archives without an integrity record (reference-tool archives), unchecked' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const })
    .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const })
    .config(tsConfig.flags)
    .strict()
    .version(version)
    .help()
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new ModelArchiveError(ErrorCode.INVALID_OPTION, message);
    });
  parser.showHelpOnFail(false);
  const args = await parser.parseAsync([...argv], {}, (_error, parsed, output) => {
    if (output !== '') {
      answered = true;
      print(output);
    }
    void parsed;
  });
  if (answered || args.help === true || args.version === true) return undefined;
  const positive = (value: number, flag: string, min = 1): number => {
    if (!Number.isFinite(value) || value < min) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `--${flag} must be a number >= ${min}`);
    return value;
  };
  const port = (value: number, flag: string): number => {
    if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `--${flag} must be a port from 0 to 65535`);
    return value;
  };
  const modelDefaults = parseModelSettings(
    {
      minWorkers: args.workers,
      maxWorkers: args['max-workers'],
      batchSize: args['batch-size'],
      maxBatchDelay: args['max-batch-delay'],
      responseTimeout: args['response-timeout'],
      queueSize: args['queue-size'],
      memoryLimit: args['worker-memory-limit'],
      startupTimeout: args['startup-timeout'],
    },
    'flag',
  );
  if (args.start && args.stop) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, '--start and --stop cannot be given together', { details: { parameter: '--stop' } });
  const modelStore = args['model-store'];
  return {
    mode: args.start ? (args.foreground ? 'foreground' : 'start') : args.stop ? 'stop' : 'serve',
    pidFile: path.resolve(args['pid-file']),
    logFile: path.resolve(args['log-file']),
    serveArgs: argv.filter((arg) => arg !== '--start' && arg !== '--start=true'),
    ignoredConfigKeys: tsConfig.ignored,
    logFormat: args['log-format'],
    logLevel: args['log-level'],
    options: {
      models: expandAll(args.models.map(String), modelStore).map(parseModelSpec),
      ...(args['model-store'] === undefined ? {} : { modelStore: args['model-store'] }),
      allowedPaths: args['allowed-path'].map(String),
      host: args.host,
      ...(args['management-host'] === undefined ? {} : { managementHost: args['management-host'] }),
      ...(args['metrics-host'] === undefined ? {} : { metricsHost: args['metrics-host'] }),
      inferencePort: port(args['inference-port'], 'inference-port'),
      managementPort: port(args['management-port'], 'management-port'),
      metricsPort: port(args['metrics-port'], 'metrics-port'),
      ...(modelDefaults.minWorkers === undefined ? {} : { defaultWorkers: modelDefaults.minWorkers }),
      maxRequestSize: positive(args['max-request-size'], 'max-request-size'),
      maxResponseSize: positive(args['max-response-size'], 'max-response-size'),
      maxUrlLength: positive(args['max-url-length'], 'max-url-length', 256),
      maxHeaderSize: positive(args['max-header-size'], 'max-header-size', 1024),
      tokenAuth: !(args['disable-token-auth'] || envTrue('TS_DISABLE_TOKEN_AUTHORIZATION')),
      enableModelApi: args['enable-model-api'] || envTrue('TS_ENABLE_MODEL_API'),
      keyFile: args['key-file'],
      tokenExpiration: positive(args['token-expiration'], 'token-expiration', 0.01),
      startupTimeout: modelDefaults.startupTimeout ?? DEFAULT_MODEL_SETTINGS.startupTimeout,
      shutdownTimeout: positive(args['shutdown-timeout'], 'shutdown-timeout', 0) * 1000,
      verifyIntegrity: args['verify-integrity'],
      allowUnverified: args['allow-unverified'],
      ...(args.python === undefined || args.python === '' ? {} : { python: args.python }),
      installRequirements: args['install-requirements'],
      builtinPlacement: args['builtin-placement'],
      intraOpThreads: positive(args['intra-op-threads'], 'intra-op-threads', 0),
      modelDefaults: {
        batchSize: modelDefaults.batchSize ?? DEFAULT_MODEL_SETTINGS.batchSize,
        maxBatchDelay: modelDefaults.maxBatchDelay ?? DEFAULT_MODEL_SETTINGS.maxBatchDelay,
        responseTimeout: modelDefaults.responseTimeout ?? DEFAULT_MODEL_SETTINGS.responseTimeout,
        queueSize: modelDefaults.queueSize ?? DEFAULT_MODEL_SETTINGS.queueSize,
        memoryLimit: modelDefaults.memoryLimit ?? DEFAULT_MODEL_SETTINGS.memoryLimit,
        ...(modelDefaults.maxWorkers === undefined ? {} : { maxWorkers: modelDefaults.maxWorkers }),
      },
    },
  };
};
