import { existsSync } from 'node:fs';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import type { ServerMetrics } from '../metrics.js';
import type { ModelSettings } from '../model-settings.js';
import type { StartupModel } from '../options.js';
import type { ServerConfig } from '../server-config.js';
import { ModelRunner } from '../workers/model-runner.js';
import type { ModelRegistry } from './model-registry.js';
import { resolveModelUrl } from './model-url.js';
import { probeArchive } from './probe-archive.js';

/** Parameters of `POST /models`, already parsed (TorchServe's rules, see management-routes.ts). */
export interface RegisterParams {
  url: string;
  modelName?: string;
  /** Workers to start; default `ServerConfig.registerWorkers` (TorchServe's `default_workers_per_model`, 0). */
  initialWorkers?: number;
  /** Handler string replacing the manifest's. */
  handler?: string;
  /** Runtime shown for the model instead of the manifest's. */
  runtime?: string;
  /** Wait for the workers (default true); `false` answers at once and starts them in the background. */
  synchronous: boolean;
  settings: Partial<ModelSettings>;
}

/** The outcome of a registration. */
export interface Registered {
  name: string;
  version: string;
  /** Workers asked for. */
  workers: number;
  /** Set when the workers are still starting (an asynchronous registration). */
  pending: boolean;
}

/** Registering models: at start (`--models`, `load_models`) and through `POST /models`. */
export interface Registration {
  /** `POST /models`: resolves the url inside the model store, reads the archive, lists the model, starts its workers. */
  register(params: RegisterParams): Promise<Registered>;
  /** Loads the startup models in order; on a failure, stops those already loaded and throws. */
  loadStartupModels(models: readonly StartupModel[]): Promise<void>;
}

interface RegisterStep {
  url: string;
  archivePath: string;
  name: string | undefined;
  settings: ModelSettings;
  workers: number;
  atStartup: boolean;
  handler?: string;
  runtime?: string;
}

/** Creates the registration step of a server over its registry. */
export const createRegistration = (config: ServerConfig, registry: ModelRegistry, metrics: ServerMetrics): Registration => {
  const { logger } = config;

  /**
   * Reads the archive and lists the model at once (TorchServe's order); the returned promise settles when its workers
   * have started. When they fail, the model is removed again and the promise rejects with the load error.
   */
  const list = async (step: RegisterStep): Promise<{ runner: ModelRunner; started: Promise<void> }> => {
    const facts = await probeArchive(step.archivePath);
    // max_worker is never below the workers it starts with.
    const maxWorkers = Math.max(step.workers, step.settings.maxWorkers);
    const runner = new ModelRunner({
      ...config.runner,
      startupTimeout: step.settings.startupTimeout,
      logger,
      metrics,
      name: step.name ?? facts.name,
      version: facts.version,
      runtime: step.runtime ?? facts.runtime,
      url: step.url,
      archivePath: step.archivePath,
      settings: { ...step.settings, minWorkers: step.workers, maxWorkers },
      loadedAtStartup: step.atStartup,
      ...(step.handler === undefined ? {} : { handler: step.handler }),
    });
    registry.add(runner);
    logger.info('model registered', { model: runner.name, version: runner.version, url: step.url, workers: step.workers, batchSize: step.settings.batchSize });
    const started = step.workers === 0 ? Promise.resolve() : runner.scale(step.workers, maxWorkers);
    return {
      runner,
      started: started.catch(async (error: unknown) => {
        logger.warn('model workers failed to start; model removed', { model: runner.name, version: runner.version, errorCode: (error as { code?: unknown }).code, error });
        await registry.unregister(runner.name, runner.version, 0, true).catch(() => undefined);
        throw error;
      }),
    };
  };

  const register = async (params: RegisterParams): Promise<Registered> => {
    const archivePath = await resolveModelUrl(params.url, { ...(config.modelStore === undefined ? {} : { modelStore: config.modelStore }), allowedPaths: config.allowedPaths });
    const defaults = config.modelDefaults;
    const workers = params.initialWorkers ?? config.registerWorkers;
    const settings: ModelSettings = { ...defaults, ...params.settings };
    const { runner, started } = await list({
      url: params.url,
      archivePath,
      name: params.modelName,
      settings,
      workers,
      atStartup: false,
      ...(params.handler === undefined ? {} : { handler: params.handler }),
      ...(params.runtime === undefined ? {} : { runtime: params.runtime }),
    }).catch((error: unknown) => {
      logger.warn('model registration failed', { url: params.url, errorCode: (error as { code?: unknown }).code, error });
      throw error;
    });
    const registered = { name: runner.name, version: runner.version, workers };
    if (workers > 0 && !params.synchronous) {
      started.catch(() => undefined);
      return { ...registered, pending: true };
    }
    await started;
    return { ...registered, pending: false };
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
        const defaults = config.modelDefaults;
        const { started } = await list({ url: model.path, archivePath, name: model.name, settings: defaults, workers: defaults.minWorkers, atStartup: true });
        await started;
      }
    } catch (error) {
      await Promise.all(registry.all().map((runner) => runner.close()));
      throw error;
    }
  };

  return { register, loadStartupModels };
};
