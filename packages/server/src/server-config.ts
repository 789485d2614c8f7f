import path from 'node:path';

import type { BuiltinPlacement } from './builtin-placement.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { DEFAULT_MODEL_SETTINGS } from './model-settings.js';
import type { ModelSettings } from './model-settings.js';
import {
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_REQUEST_SIZE,
  DEFAULT_MAX_RESPONSE_SIZE,
  DEFAULT_MAX_URL_LENGTH,
  DEFAULT_TOKEN_EXPIRATION_MINUTES,
  KEY_FILE_NAME,
} from './options.js';
import type { ServerOptions } from './options.js';
import { SERVER_VERSION } from './version.js';

/** Where a started server listens. */
export interface ServerAddresses {
  /** Bind address of the inference API (and of the others unless set apart). */
  host: string;
  managementHost: string;
  metricsHost: string;
  inferencePort: number;
  managementPort: number;
  metricsPort: number;
}

/** {@link ServerOptions} with every default applied: what the steps of `startServer` read (ports 0: any free port). */
export interface ServerConfig extends ServerAddresses {
  logger: Logger;
  maxRequestSize: number;
  maxUrlLength: number;
  maxHeaderSize: number;
  /** Whether models may be registered and unregistered while the server runs (model API control). */
  enableModelApi: boolean;
  /** Token authorization settings; `undefined` when it is off. */
  tokenAuth: { keyFile: string; expirationMinutes: number } | undefined;
  shutdownTimeout: number;
  modelStore: string | undefined;
  allowedPaths: readonly string[];
  /** Settings of a model whose registration names none (`minWorkers`: the workers of a startup model). */
  modelDefaults: ModelSettings;
  /**
   * Workers of a model registered through `POST /models` without `initial_workers`: `defaultWorkers` when given
   * (TorchServe's `default_workers_per_model`), else 0, as in TorchServe.
   */
  registerWorkers: number;
  /** What every model runner gets, whatever the model (its startup timeout is a model setting: `modelDefaults`). */
  runner: {
    env: NodeJS.ProcessEnv;
    verifyIntegrity: boolean;
    allowUnverified: boolean;
    intraOpThreads: number;
    serverVersion: string;
    maxResponseSize: number;
    /** Interpreter for Python handlers; absent: `$PYTHON` of `env`, else `python3`. */
    python?: string;
    /** Install a Python archive's requirements into its own virtual environment. */
    installRequirements: boolean;
    builtinPlacement: BuiltinPlacement;
  };
}

/** Applies the defaults of {@link ServerOptions} (documented there) to the options given. */
export const resolveServerConfig = (options: ServerOptions): ServerConfig => {
  const minWorkers = options.modelDefaults?.minWorkers ?? options.defaultWorkers ?? DEFAULT_MODEL_SETTINGS.minWorkers;
  const modelDefaults: ModelSettings = {
    ...DEFAULT_MODEL_SETTINGS,
    ...options.modelDefaults,
    minWorkers,
    maxWorkers: Math.max(minWorkers, options.modelDefaults?.maxWorkers ?? minWorkers),
    startupTimeout: options.modelDefaults?.startupTimeout ?? options.startupTimeout ?? DEFAULT_MODEL_SETTINGS.startupTimeout,
  };
  return {
    logger: options.logger ?? silentLogger,
    host: options.host ?? '127.0.0.1',
    managementHost: options.managementHost ?? options.host ?? '127.0.0.1',
    metricsHost: options.metricsHost ?? options.host ?? '127.0.0.1',
    inferencePort: options.inferencePort ?? 8080,
    managementPort: options.managementPort ?? 8081,
    metricsPort: options.metricsPort ?? 8082,
    maxRequestSize: options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE,
    maxUrlLength: options.maxUrlLength ?? DEFAULT_MAX_URL_LENGTH,
    maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
    enableModelApi: options.enableModelApi ?? false,
    tokenAuth:
      options.tokenAuth === false
        ? undefined
        : { keyFile: path.resolve(options.keyFile ?? KEY_FILE_NAME), expirationMinutes: options.tokenExpiration ?? DEFAULT_TOKEN_EXPIRATION_MINUTES },
    shutdownTimeout: options.shutdownTimeout ?? 30_000,
    modelStore: options.modelStore,
    allowedPaths: options.allowedPaths ?? [],
    modelDefaults,
    registerWorkers: options.defaultWorkers ?? options.modelDefaults?.minWorkers ?? 0,
    runner: {
      env: options.env ?? process.env,
      verifyIntegrity: options.verifyIntegrity ?? true,
      allowUnverified: options.allowUnverified ?? false,
      intraOpThreads: options.intraOpThreads ?? 0,
      serverVersion: SERVER_VERSION,
      maxResponseSize: options.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE,
      ...(options.python === undefined ? {} : { python: options.python }),
      installRequirements: options.installRequirements ?? false,
      builtinPlacement: options.builtinPlacement ?? (options.builtinThreads === false ? 'process' : 'thread'),
    },
  };
};
