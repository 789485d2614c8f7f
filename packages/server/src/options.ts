import type { BuiltinPlacement } from './builtin-placement.js';
import type { Logger } from './logger.js';
import type { ModelSettings } from './model-settings.js';

/** A model to load at start (`--models name=path`). */
export interface StartupModel {
  /** Name to serve it under; default the archive's model name. */
  name?: string;
  /** Archive file (`.mar`, `.tar.gz`, `.zip`) or folder. */
  path: string;
}

/** Options of `startServer`. */
export interface ServerOptions {
  /** Models loaded before the ports open; a model that fails to load fails the start. */
  models?: readonly StartupModel[];
  /** Folder from which `POST /models?url=` may register archives (and where relative `--models` paths are also looked up). */
  modelStore?: string;
  /** Extra files or folders (absolute paths) outside the model store that `POST /models` may register. */
  allowedPaths?: readonly string[];
  /** Bind address; default `127.0.0.1`. */
  host?: string;
  /** Bind address of the management API (TorchServe's `management_address`); default `host`. */
  managementHost?: string;
  /** Bind address of the metrics API (TorchServe's `metrics_address`); default `host`. */
  metricsHost?: string;
  /** Inference API port; default 8080; 0 picks a free port. */
  inferencePort?: number;
  /** Management API port; default 8081; 0 picks a free port. */
  managementPort?: number;
  /** Prometheus metrics port; default 8082; 0 picks a free port. */
  metricsPort?: number;
  /** Largest request body in bytes (413 above); default 6,553,500 (TorchServe's `max_request_size`). */
  maxRequestSize?: number;
  /**
   * Largest answer body in bytes a handler may send (500 `RESPONSE_TOO_LARGE` above); default 6,553,500 (TorchServe's
   * `max_response_size`).
   */
  maxResponseSize?: number;
  /** Longest request target (path and query string) in bytes (414 `URI_TOO_LONG` above); default 8,192. */
  maxUrlLength?: number;
  /** Largest request head (request line and headers) in bytes (431 `HEADERS_TOO_LARGE` above); default 16,384 (Node's). */
  maxHeaderSize?: number;
  /**
   * Token authorization (TorchServe 0.11+): the management and inference APIs need `Authorization: Bearer <key>` with
   * the keys written to {@link ServerOptions.keyFile}; default true.
   */
  tokenAuth?: boolean;
  /**
   * Model API control (TorchServe 0.11+): allow registering and unregistering models while the server runs
   * (`POST /models`, `DELETE /models/{m}[/{v}]`, and the Open Inference Protocol repository's `load`/`unload`). Off by
   * default, as in TorchServe: those requests get 405 `METHOD_NOT_ALLOWED`, and only the models given at start are
   * served. Listing, describing, scaling and set-default work either way.
   */
  enableModelApi?: boolean;
  /** Where the keys are written (mode 0600) at start and removed on shutdown; default `key_file.json` in the cwd. */
  keyFile?: string;
  /** Minutes until the management and inference keys expire (renew them with `/token`); default 60 (TorchServe's). */
  tokenExpiration?: number;
  /**
   * Workers per model (TorchServe's `default_workers_per_model`): for startup models (default 1) and for `POST /models`
   * without `initial_workers` (default 0, as in TorchServe).
   */
  defaultWorkers?: number;
  /** Defaults for per-model settings. */
  modelDefaults?: Partial<ModelSettings>;
  /** Longest wait (ms) for a worker to load its model; default 120 s. */
  startupTimeout?: number;
  /** Longest wait (ms) for in-flight requests on shutdown before workers are killed; default 30 s. */
  shutdownTimeout?: number;
  /** Passed to the runtime: check archive integrity records on load; default true. */
  verifyIntegrity?: boolean;
  /** Passed to the runtime: load archives without an integrity record (reference-tool archives), unchecked; default false. */
  allowUnverified?: boolean;
  /**
   * ONNX Runtime intra-op threads per worker session; default 0 (ONNX Runtime's default: one per core, or the model
   * config's). With several workers on few cores, 1 avoids oversubscription.
   */
  intraOpThreads?: number;
  /**
   * Python interpreter for archives whose handler is a Python module (MMS/TorchServe runtime `python*`); default
   * `$PYTHON` of {@link ServerOptions.env}, else `python3` on the PATH.
   */
  python?: string;
  /**
   * Install a Python archive's `requirements.txt` into a virtual environment of the model's own (in the runtime's
   * cache, built by the first worker that starts) instead of only logging it; default false.
   */
  installRequirements?: boolean;
  /**
   * Where trusted built-in handlers (`onnx`, `image_classifier`) run: `thread` (worker threads of the server process,
   * the default), `main` (the server's main thread: no hop between threads, but a run blocks the event loop while it
   * lasts) or `process` (worker processes, like every other handler). See docs/server.md "Where handlers run".
   */
  builtinPlacement?: BuiltinPlacement;
  /** Older form of {@link builtinPlacement}: false is `process`, true `thread`; `builtinPlacement` wins when both are set. */
  builtinThreads?: boolean;
  /** Where the log goes; default nowhere. */
  logger?: Logger;
  /** Environment for worker processes; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** TorchServe's default `max_request_size`. */
export const DEFAULT_MAX_REQUEST_SIZE = 6_553_500;

/** TorchServe's default `max_response_size`. */
export const DEFAULT_MAX_RESPONSE_SIZE = 6_553_500;

/** Default longest request target in bytes (path and query string). */
export const DEFAULT_MAX_URL_LENGTH = 8192;

/** Default largest request head in bytes (Node's own default). */
export const DEFAULT_MAX_HEADER_SIZE = 16_384;

/** TorchServe's default `token_expiration_min`. */
export const DEFAULT_TOKEN_EXPIRATION_MINUTES = 60;

/** The key file TorchServe writes in its working directory. */
export const KEY_FILE_NAME = 'key_file.json';
