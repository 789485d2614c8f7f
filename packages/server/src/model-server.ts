import type { Server } from 'node:http';

import { closeServer, createApiServer, listen, RequestTracker } from './http/api-servers.js';
import type { ApiServerDeps } from './http/api-servers.js';
import { apiDescriptionRoutes } from './http/api-description.js';
import { inferenceRoutes } from './http/inference-routes.js';
import { metricsRoutes } from './http/metrics-route.js';
import { managementRoutes } from './http/management-routes.js';
import { ModelRegistry } from './management/model-registry.js';
import { createRegistration } from './management/registration.js';
import type { Registration } from './management/registration.js';
import { createMetrics } from './metrics.js';
import type { ServerMetrics } from './metrics.js';
import type { ServerOptions } from './options.js';
import { resolveServerConfig } from './server-config.js';
import type { ServerConfig } from './server-config.js';
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

/** The three API servers, not yet listening. */
interface ApiServers {
  inference: Server;
  management: Server;
  metrics: Server;
}

/** Step: the HTTP servers of the inference, management and metrics APIs. */
const createApiServers = (config: ServerConfig, registry: ModelRegistry, registration: Registration, deps: ApiServerDeps): ApiServers => ({
  inference: createApiServer(
    'inference',
    [...inferenceRoutes({ registry, maxRequestSize: config.maxRequestSize, serverVersion: SERVER_VERSION }), ...apiDescriptionRoutes('inference', registry, SERVER_VERSION)],
    deps,
  ),
  management: createApiServer(
    'management',
    [...managementRoutes({ registry, register: registration.register, drainMs: config.shutdownTimeout }), ...apiDescriptionRoutes('management', registry, SERVER_VERSION)],
    deps,
  ),
  metrics: createApiServer('metrics', metricsRoutes(deps.metrics), deps),
});

const stopModels = (registry: ModelRegistry): Promise<unknown> => Promise.all(registry.all().map((runner) => runner.close()));

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
const shutdownOf = (config: ServerConfig, servers: ApiServers, registry: ModelRegistry, tracker: RequestTracker): (() => Promise<void>) => {
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
      config.logger.info('model server stopped');
    })();
    return closed;
  };
};

/**
 * Loads the startup models, then opens the inference, management and metrics ports.
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
  const tracker = new RequestTracker();
  const servers = createApiServers(config, registry, registration, { logger: config.logger, metrics, tracker });
  const addresses = await openPorts(config, servers, registry);
  config.logger.info('model server started', { ...addresses, models: registry.names(), version: SERVER_VERSION });
  return { addresses, registry, metrics, close: shutdownOf(config, servers, registry, tracker) };
};
