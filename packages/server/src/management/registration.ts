import { existsSync } from 'node:fs';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import type { ServerMetrics } from '../metrics.js';
import type { ModelSettings } from '../model-settings.js';
import type { StartupModel } from '../options.js';
import type { ServerConfig } from '../server-config.js';
import type { ModelRunner } from '../workers/model-runner.js';
import type { ModelRegistry } from './model-registry.js';
import { resolveModelUrl } from './model-url.js';
import { probeModelName } from './probe-model-name.js';

/** Parameters of `POST /models`, already parsed. */
export interface RegisterParams {
  url: string;
  modelName?: string;
  initialWorkers?: number;
  settings: Partial<ModelSettings>;
}

/** Registering models: at start (`--models`) and through `POST /models`. */
export interface Registration {
  /** `POST /models`: resolves the url inside the model store, applies the defaults, loads and registers. */
  register(params: RegisterParams): Promise<{ name: string; version: string; workers: number }>;
  /** Loads the startup models in order; on a failure, stops those already loaded and throws. */
  loadStartupModels(models: readonly StartupModel[]): Promise<void>;
}

/** Creates the registration step of a server over its registry. */
export const createRegistration = (config: ServerConfig, registry: ModelRegistry, metrics: ServerMetrics): Registration => {
  const { logger } = config;

  const registerModel = async (url: string, archivePath: string, name: string | undefined, settings: ModelSettings, workers: number, atStartup: boolean): Promise<ModelRunner> => {
    const runner = await registry.register(
      { ...config.runner, logger, metrics, ...(name === undefined ? {} : { name }), url, archivePath, settings, loadedAtStartup: atStartup, initialWorkers: workers },
      probeModelName,
    );
    logger.info('model registered', { model: runner.name, version: runner.info?.version, url, workers, batchSize: settings.batchSize, maxBatchDelay: settings.maxBatchDelay });
    return runner;
  };

  const register = async (params: RegisterParams): Promise<{ name: string; version: string; workers: number }> => {
    const archivePath = await resolveModelUrl(params.url, { ...(config.modelStore === undefined ? {} : { modelStore: config.modelStore }), allowedPaths: config.allowedPaths });
    const defaults = config.modelDefaults;
    const workers = params.initialWorkers ?? defaults.minWorkers;
    const settings: ModelSettings = { ...defaults, ...params.settings, minWorkers: workers, maxWorkers: Math.max(workers, defaults.maxWorkers) };
    const runner = await registerModel(params.url, archivePath, params.modelName, settings, workers, false).catch((error: unknown) => {
      logger.warn('model registration failed', { url: params.url, errorCode: (error as { code?: unknown }).code, error });
      throw error;
    });
    return { name: runner.name, version: runner.info?.version ?? '', workers };
  };

  // A relative `--models` path is taken from the cwd when it exists there, else from the model store.
  const startupPath = (model: StartupModel): string => {
    const direct = path.resolve(model.path);
    if (existsSync(direct) || config.modelStore === undefined || path.isAbsolute(model.path)) return direct;
    return path.resolve(config.modelStore, model.path);
  };

  const loadStartupModels = async (models: readonly StartupModel[]): Promise<void> => {
    try {
      for (const model of models) {
        const archivePath = startupPath(model);
        if (!existsSync(archivePath)) throw new ModelArchiveError(ErrorCode.ARCHIVE_NOT_FOUND, `Model archive not found: ${model.path}`, { details: { path: model.path } });
        await registerModel(model.path, archivePath, model.name, config.modelDefaults, config.modelDefaults.minWorkers, true);
      }
    } catch (error) {
      await Promise.all(registry.all().map((runner) => runner.close()));
      throw error;
    }
  };

  return { register, loadStartupModels };
};
