import type { Server } from 'node:http';

import { closeServer, createApiServer, listen, RequestTracker } from './http/api-servers.js';
import { inferenceGuard, managementGuard, tokenRoute } from './http/authorization.js';
import type { ApiServerDeps } from './http/api-servers.js';
import { apiDescriptionRoutes } from './http/api-description.js';
import { inferenceRoutes } from './http/inference-routes.js';
import { metricsRoutes } from './http/metrics-route.js';
import { managementRoutes } from './http/management-routes.js';
import { TokenAuthority } from './http/token-auth.js';
import { ModelRegistry } from './management/model-registry.js';
import { createRegistration } from './management/registration.js';
import type { Registration } from './management/registration.js';
import { createMetrics } from './metrics.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerOptions } from './options.js';
import { resolveServerConfig } from './server-config.js';
import type { ServerAddresses, ServerConfig } from './server-config.js';
import { SERVER_VERSION } from './version.js';

/** A running model server (see {@link startServer}). */
export interface ModelServer {
  readonly addresses: ServerAddresses;
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  /** The key file of token authorization; `undefined` when it is off. */
  readonly keyFile: string | undefined;
  /**
   * Graceful shutdown: stops accepting connections, lets in-flight requests finish (up to `shutdownTimeout`), then
   * stops the workers. Safe to call twice.
   */
  close(): Promise<void>;
}

/** The three API servers, not yet listening. */
interface ApiServers {
  inference: Server;
  management: Server;
  metrics: Server;
}

/**
 * Step: the HTTP servers of the inference, management and metrics APIs. With token authorization the inference and
 * management ports check their keys and the management port also serves `/token`; the metrics port stays open, as
 * TorchServe's. The inference and management ports also describe themselves (`OPTIONS /`).
 */
const createApiServers = (
  config: ServerConfig,
  registry: ModelRegistry,
  registration: Registration,
  deps: ApiServerDeps,
  authority: TokenAuthority | undefined,
): ApiServers => ({
  inference: createApiServer(
    'inference',
    [
      ...inferenceRoutes({
        registry,
        maxRequestSize: config.maxRequestSize,
        serverVersion: SERVER_VERSION,
        repository: {
          modelStore: config.modelStore,
          register: registration.register,
          drainMs: config.shutdownTimeout,
          loadWorkers: config.modelDefaults.minWorkers,
          modelApi: config.enableModelApi,
        },
      }),
      ...apiDescriptionRoutes('inference', registry, SERVER_VERSION),
    ],
    deps,
    authority === undefined ? undefined : inferenceGuard(authority),
  ),
  management: createApiServer(
    'management',
    [
      ...(authority === undefined ? [] : [tokenRoute(authority)]),
      ...managementRoutes({ registry, register: registration.register, drainMs: config.shutdownTimeout, modelApi: config.enableModelApi }),
      ...apiDescriptionRoutes('management', registry, SERVER_VERSION),
    ],
    deps,
    authority === undefined ? undefined : managementGuard(authority),
  ),
  metrics: createApiServer('metrics', metricsRoutes(deps.metrics), deps),
});

const stopModels = (registry: ModelRegistry): Promise<unknown> => Promise.all(registry.all().map((runner) => runner.close()));

/** Step: the keys of token authorization, written to the key file (`undefined` when it is off). */
const createTokenAuthority = async (config: ServerConfig, registry: ModelRegistry): Promise<TokenAuthority | undefined> => {
  if (config.tokenAuth === undefined) {
    config.logger.warn('token authorization is disabled: anyone who can reach the management port can register and remove models');
    return undefined;
  }
  try {
    const authority = await TokenAuthority.create(config.tokenAuth.keyFile, config.tokenAuth.expirationMinutes);
    if (authority.replacedKeyFile) {
      config.logger.warn('replaced an existing key file: a server killed before it could remove it, or another server using the same --key-file', {
        keyFile: authority.keyFile,
      });
    }
    config.logger.info('token authorization enabled: send "Authorization: Bearer <key>" with the keys of the key file', { keyFile: authority.keyFile });
    return authority;
  } catch (error) {
    await stopModels(registry);
    throw error;
  }
};

/** Step: opens the three ports; when one fails, closes those opened and stops the models. */
const openPorts = async (config: ServerConfig, servers: ApiServers, registry: ModelRegistry): Promise<ServerAddresses> => {
  try {
    return {
      host: config.host,
      managementHost: config.managementHost,
      metricsHost: config.metricsHost,
      inferencePort: await listen(servers.inference, config.inferencePort, config.host),
      managementPort: await listen(servers.management, config.managementPort, config.managementHost),
      metricsPort: await listen(servers.metrics, config.metricsPort, config.metricsHost),
    };
  } catch (error) {
    await Promise.all(Object.values(servers).filter((server) => server.listening).map(closeServer));
    await stopModels(registry);
    throw error;
  }
};

/** Step: the graceful shutdown (idempotent). */
const shutdownOf = (
  config: ServerConfig,
  servers: ApiServers,
  registry: ModelRegistry,
  tracker: RequestTracker,
  authority: TokenAuthority | undefined,
): (() => Promise<void>) => {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= (async () => {
      const all = Object.values(servers);
      config.logger.info('shutting down: finishing in-flight requests', { inFlight: tracker.count });
      const stopped = Promise.all(all.map(closeServer));
      for (const server of all) server.closeIdleConnections();
      await tracker.drain(config.shutdownTimeout);
      for (const server of all) server.closeAllConnections();
      await stopped;
      await stopModels(registry);
      await authority?.removeKeyFile();
      config.logger.info('model server stopped');
    })();
    return closed;
  };
};

/**
 * Loads the startup models, writes the key file of token authorization (unless `tokenAuth: false`), then opens the
 * inference, management and metrics ports.
 *
 * @example
 * const server = await startServer({ models: [{ name: 'cls', path: 'cls.mar' }], inferencePort: 0, logger });
 * // POST http://127.0.0.1:${server.addresses.inferencePort}/predictions/cls
 * await server.close();
 */
export const startServer = async (options: ServerOptions = {}): Promise<ModelServer> => {
  const config = resolveServerConfig(options);
  const metrics = createMetrics(config.modelStore === undefined ? {} : { diskPath: config.modelStore });
  const registry = new ModelRegistry();
  const registration = createRegistration(config, registry, metrics);
  await registration.loadStartupModels(options.models ?? []);
  const authority = await createTokenAuthority(config, registry);
  const tracker = new RequestTracker();
  const limits = { maxUrlLength: config.maxUrlLength, maxHeaderSize: config.maxHeaderSize };
  const servers = createApiServers(config, registry, registration, { logger: config.logger, metrics, tracker, limits }, authority);
  const addresses = await openPorts(config, servers, registry).catch(async (error: unknown) => {
    await authority?.removeKeyFile();
    throw error;
  });
  config.logger.info('model server started', { ...addresses, models: registry.names(), version: SERVER_VERSION, keyFile: authority?.keyFile, modelApi: config.enableModelApi });
  return { addresses, registry, metrics, keyFile: authority?.keyFile, close: shutdownOf(config, servers, registry, tracker, authority) };
};
