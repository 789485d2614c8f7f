import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { DEFAULT_MODEL_SETTINGS } from './model-settings.js';
import type { ModelSettings } from './model-settings.js';
import { DEFAULT_MAX_REQUEST_SIZE } from './options.js';
import type { ServerOptions } from './options.js';
import { SERVER_VERSION } from './version.js';

/** {@link ServerOptions} with every default applied: what the steps of `startServer` read. */
export interface ServerConfig {
  logger: Logger;
  host: string;
  inferencePort: number;
  managementPort: number;
  metricsPort: number;
  maxRequestSize: number;
  shutdownTimeout: number;
  modelStore: string | undefined;
  allowedPaths: readonly string[];
  /** Settings of a model whose registration names none. */
  modelDefaults: ModelSettings;
  /** What every model runner gets, whatever the model. */
  runner: {
    env: NodeJS.ProcessEnv;
    startupTimeout: number;
    verifyIntegrity: boolean;
    intraOpThreads: number;
    serverVersion: string;
    /** Interpreter for Python handlers; absent: `$PYTHON` of `env`, else `python3`. */
    python?: string;
    /** Install a Python archive's requirements into its own virtual environment. */
    installRequirements: boolean;
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
  };
  return {
    logger: options.logger ?? silentLogger,
    host: options.host ?? '127.0.0.1',
    inferencePort: options.inferencePort ?? 8080,
    managementPort: options.managementPort ?? 8081,
    metricsPort: options.metricsPort ?? 8082,
    maxRequestSize: options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE,
    shutdownTimeout: options.shutdownTimeout ?? 30_000,
    modelStore: options.modelStore,
    allowedPaths: options.allowedPaths ?? [],
    modelDefaults,
    runner: {
      env: options.env ?? process.env,
      startupTimeout: options.startupTimeout ?? 120_000,
      verifyIntegrity: options.verifyIntegrity ?? true,
      intraOpThreads: options.intraOpThreads ?? 0,
      serverVersion: SERVER_VERSION,
      ...(options.python === undefined ? {} : { python: options.python }),
      installRequirements: options.installRequirements ?? false,
    },
  };
};
