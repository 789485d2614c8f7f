import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { ErrorCode, ModelArchiveError, openArchive } from '@model-archiver/core';

import { createContext, recordRequest, sendBytes, sendError } from './http-context.js';
import type { ApiName } from './http-context.js';
import { httpErrorBody } from './http-errors.js';
import { silentLogger } from './logger.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import type { ServerMetrics } from './metrics.js';
import { ModelRegistry } from './model-registry.js';
import type { ModelRunner } from './model-runner.js';
import { resolveModelUrl } from './model-url.js';
import { DEFAULT_MAX_REQUEST_SIZE, DEFAULT_MODEL_SETTINGS } from './options.js';
import type { ModelSettings, ServerOptions, StartupModel } from './options.js';
import { inferenceRoutes } from './routes/inference.js';
import { managementRoutes } from './routes/management.js';
import type { RegisterParams } from './routes/management.js';
import { matchRoute, routePath } from './router.js';
import type { Route } from './router.js';
import { SERVER_VERSION } from './version.js';

/** Where a started server listens. */
export interface ServerAddresses {
  host: string;
  inferencePort: number;
  managementPort: number;
  metricsPort: number;
}

/** A running model server (see {@link startServer}). */
export interface ModelServer {
  readonly addresses: ServerAddresses;
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish (up to `shutdownTimeout`), then
   * stops the workers. Safe to call twice.
   */
  close(): Promise<void>;
}

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ModelArchiveError(ErrorCode.INVALID_OPTION, `Cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { cause: error })));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/**
 * Loads the startup models, then opens the inference, management and metrics ports.
 *
 * @example
 * const server = await startServer({ models: [{ name: 'cls', path: 'cls.mar' }], inferencePort: 0, logger });
 * // POST http://127.0.0.1:${server.addresses.inferencePort}/predictions/cls
 * await server.close();
 */
export const startServer = async (options: ServerOptions = {}): Promise<ModelServer> => {
  const logger: Logger = options.logger ?? silentLogger;
  const metrics = createMetrics();
  const registry = new ModelRegistry();
  const host = options.host ?? '127.0.0.1';
  const maxRequestSize = options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE;
  const shutdownTimeout = options.shutdownTimeout ?? 30_000;
  const defaults: ModelSettings = { ...DEFAULT_MODEL_SETTINGS, ...options.modelDefaults };
  defaults.minWorkers = options.modelDefaults?.minWorkers ?? options.defaultWorkers ?? DEFAULT_MODEL_SETTINGS.minWorkers;
  defaults.maxWorkers = Math.max(defaults.minWorkers, options.modelDefaults?.maxWorkers ?? defaults.minWorkers);
  const common = {
    logger,
    metrics,
    env: options.env ?? process.env,
    startupTimeout: options.startupTimeout ?? 120_000,
    verifyIntegrity: options.verifyIntegrity ?? true,
    intraOpThreads: options.intraOpThreads ?? 0,
    serverVersion: SERVER_VERSION,
  };

  // The name a register call without model_name gets: the manifest's model name (read without loading the model).
  const probeName = async (archivePath: string): Promise<string> => {
    const archive = await openArchive(archivePath);
    try {
      const { manifest } = await archive.readManifest();
      const model = manifest.model as { modelName?: unknown } | undefined;
      if (typeof model?.modelName === 'string' && model.modelName !== '') return model.modelName;
      return path.basename(archivePath).replace(/\.(mar|tar\.gz|tgz|zip)$/, '');
    } finally {
      await archive.close();
    }
  };

  const registerModel = async (url: string, archivePath: string, name: string | undefined, settings: ModelSettings, workers: number, atStartup: boolean): Promise<ModelRunner> => {
    const runner = await registry.register(
      { ...common, ...(name === undefined ? {} : { name }), url, archivePath, settings, loadedAtStartup: atStartup, initialWorkers: workers },
      probeName,
    );
    logger.info('model registered', { model: runner.name, version: runner.info?.version, url, workers, batchSize: settings.batchSize, maxBatchDelay: settings.maxBatchDelay });
    return runner;
  };

  const register = async (params: RegisterParams): Promise<{ name: string; version: string; workers: number }> => {
    const archivePath = await resolveModelUrl(params.url, { ...(options.modelStore === undefined ? {} : { modelStore: options.modelStore }), allowedPaths: options.allowedPaths ?? [] });
    const workers = params.initialWorkers ?? defaults.minWorkers;
    const settings: ModelSettings = { ...defaults, ...params.settings, minWorkers: workers, maxWorkers: Math.max(workers, defaults.maxWorkers) };
    const runner = await registerModel(params.url, archivePath, params.modelName, settings, workers, false).catch((error: unknown) => {
      logger.warn('model registration failed', { url: params.url, errorCode: (error as { code?: unknown }).code, error });
      throw error;
    });
    return { name: runner.name, version: runner.info?.version ?? '', workers };
  };

  const startupPath = (model: StartupModel): string => {
    const direct = path.resolve(model.path);
    if (existsSync(direct) || options.modelStore === undefined || path.isAbsolute(model.path)) return direct;
    return path.resolve(options.modelStore, model.path);
  };

  try {
    for (const model of options.models ?? []) {
      const archivePath = startupPath(model);
      if (!existsSync(archivePath)) throw new ModelArchiveError(ErrorCode.ARCHIVE_NOT_FOUND, `Model archive not found: ${model.path}`, { details: { path: model.path } });
      await registerModel(model.path, archivePath, model.name, defaults, defaults.minWorkers, true);
    }
  } catch (error) {
    await Promise.all(registry.all().map((runner) => runner.close()));
    throw error;
  }

  let inFlight = 0;
  let closing = false;
  let idleWaiters: (() => void)[] = [];
  const makeServer = (api: ApiName, routes: Route[]): Server =>
    createServer((req, res) => {
      const ctx = createContext(api, req, res);
      inFlight += 1;
      let errorCode: string | undefined;
      res.on('close', () => {
        inFlight -= 1;
        recordRequest(ctx, logger, metrics, errorCode);
        if (inFlight === 0) for (const waiter of idleWaiters.splice(0)) waiter();
      });
      if (closing) res.setHeader('connection', 'close');
      Promise.resolve()
        .then(() => matchRoute(routes, ctx)(ctx))
        .catch((error: unknown) => {
          errorCode = httpErrorBody(error).errorCode;
          sendError(ctx, error, logger);
        });
    });

  const inference = makeServer('inference', inferenceRoutes({ registry, maxRequestSize, serverVersion: SERVER_VERSION }));
  const management = makeServer('management', managementRoutes({ registry, register, drainMs: shutdownTimeout }));
  const metricsServer = makeServer('metrics', [
    {
      pattern: routePath('/metrics'),
      methods: { GET: async (ctx) => sendBytes(ctx, 200, metrics.registry.contentType, Buffer.from(await metrics.registry.metrics(), 'utf8')) },
    },
  ]);
  const servers = [inference, management, metricsServer];
  let addresses: ServerAddresses;
  try {
    addresses = {
      host,
      inferencePort: await listen(inference, options.inferencePort ?? 8080, host),
      managementPort: await listen(management, options.managementPort ?? 8081, host),
      metricsPort: await listen(metricsServer, options.metricsPort ?? 8082, host),
    };
  } catch (error) {
    await Promise.all(servers.filter((server) => server.listening).map(closeServer));
    await Promise.all(registry.all().map((runner) => runner.close()));
    throw error;
  }
  logger.info('model server started', { ...addresses, models: registry.names(), version: SERVER_VERSION });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      logger.info('shutting down: finishing in-flight requests', { inFlight });
      const stopped = Promise.all(servers.map(closeServer));
      for (const server of servers) server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, shutdownTimeout);
          idleWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      idleWaiters = [];
      for (const server of servers) server.closeAllConnections();
      await stopped;
      await Promise.all(registry.all().map((runner) => runner.close()));
      logger.info('model server stopped');
    })();
    return closed;
  };

  return { addresses, registry, metrics, close };
};
