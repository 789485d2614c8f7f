/**
 * @packageDocumentation
 * `model-server`: serves model archives over TorchServe/MMS-compatible inference and management APIs and the Open
 * Inference Protocol (KServe v2), with dynamic batching, isolated worker processes and Prometheus metrics.
 */

export { startServer } from './model-server.js';
export type { ModelServer } from './model-server.js';
export type { ServerAddresses } from './server-config.js';
export {
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_REQUEST_SIZE,
  DEFAULT_MAX_RESPONSE_SIZE,
  DEFAULT_MAX_URL_LENGTH,
  DEFAULT_TOKEN_EXPIRATION_MINUTES,
  KEY_FILE_NAME,
} from './options.js';
export { BUILTIN_PLACEMENTS } from './builtin-placement.js';
export type { BuiltinPlacement } from './builtin-placement.js';
export type { ServerOptions, StartupModel } from './options.js';
export { DEFAULT_MODEL_SETTINGS, MODEL_SETTING_SPELLINGS, ModelSettingsSchema, parseModelSetting, parseModelSettings } from './model-settings.js';
export type { ModelSettings, SettingSource } from './model-settings.js';
export { httpErrorFor, httpErrorBody } from './http/http-errors.js';
export type { HttpErrorBody, HttpErrorMapping } from './http/http-errors.js';
export { createLogger, silentLogger } from './logger.js';
export type { LogFields, LogFormat, LogLevel, Logger, LoggerOptions } from './logger.js';
export { resolveModelUrl } from './management/model-url.js';
export type { ModelUrlPolicy } from './management/model-url.js';
export { SERVER_VERSION } from './version.js';
export { GC_TUNING_FLAGS, tuneGarbageCollector } from './gc-tuning.js';
