/**
 * @packageDocumentation
 * `model-server`: serves model archives over TorchServe/MMS-compatible inference and management APIs and the Open
 * Inference Protocol (KServe v2), with dynamic batching, isolated worker processes and Prometheus metrics.
 */

export { startServer } from './model-server.js';
export type { ModelServer, ServerAddresses } from './model-server.js';
export { DEFAULT_MAX_REQUEST_SIZE, DEFAULT_MODEL_SETTINGS } from './options.js';
export type { ModelSettings, ServerOptions, StartupModel } from './options.js';
export { httpErrorFor, httpErrorBody } from './http-errors.js';
export type { HttpErrorBody, HttpErrorMapping } from './http-errors.js';
export { createLogger, silentLogger } from './logger.js';
export type { LogFields, LogFormat, LogLevel, Logger, LoggerOptions } from './logger.js';
export { resolveModelUrl } from './model-url.js';
export type { ModelUrlPolicy } from './model-url.js';
export { runServerCli } from './run-cli.js';
export { SERVER_VERSION } from './version.js';
