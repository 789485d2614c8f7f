/**
 * The one error class of the project and its stable codes.
 *
 * Codes are SCREAMING_SNAKE strings and are never renamed once released: scripts, CI steps and HTTP clients match on
 * them. Exit codes (CLI) and HTTP statuses (server) are derived from codes in exactly one place each
 * (`packages/cli/src/exit-codes.ts`, `packages/server/src/http-errors.ts`). The wrapped low-level cause (an errno,
 * an ONNX Runtime message, a ZodError) goes into `cause`, never into `code`.
 */
export const ErrorCode = {
  // --- options and names (build time) ---
  /** An option value or combination is not valid (bad format, conflicting flags). */
  INVALID_OPTION: 'INVALID_OPTION',
  /** The model name does not match `^[A-Za-z0-9][A-Za-z0-9_\-.]*$` (the reference archivers' rule) or is unsafe. */
  MODEL_NAME_INVALID: 'MODEL_NAME_INVALID',
  /** The model version is empty, contains `/`, whitespace or other characters unsafe in a URL. */
  MODEL_VERSION_INVALID: 'MODEL_VERSION_INVALID',

  // --- manifests ---
  /** A manifest failed its flavour's schema or cross-field rules; `details.issues` lists each problem with its path. */
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** An archive has no `MAR-INF/MANIFEST.json` (nor a legacy top-level `MANIFEST.json`). */
  MANIFEST_MISSING: 'MANIFEST_MISSING',

  // --- build inputs ---
  /** A named input (model path, serialized file, model file, handler, extra file, requirements, config) does not exist. */
  INPUT_NOT_FOUND: 'INPUT_NOT_FOUND',
  /** A path that must be a directory is not one (model path, export path). */
  INPUT_NOT_DIRECTORY: 'INPUT_NOT_DIRECTORY',
  /** The handler's source file cannot be found for the given handler string. */
  HANDLER_NOT_FOUND: 'HANDLER_NOT_FOUND',
  /** A symbolic link among the inputs points to nothing. */
  SYMLINK_DANGLING: 'SYMLINK_DANGLING',
  /** A symbolic link among the inputs points outside the tree it was found in. */
  SYMLINK_ESCAPES: 'SYMLINK_ESCAPES',
  /** Two inputs would be stored under the same archive path. */
  ENTRY_COLLISION: 'ENTRY_COLLISION',
  /** An input would be stored under a reserved path (`MAR-INF/...`). */
  RESERVED_PATH: 'RESERVED_PATH',
  /** An input file could not be read (permissions, I/O error). */
  INPUT_READ_FAILED: 'INPUT_READ_FAILED',

  // --- outputs ---
  /** The output (archive file or folder) exists and `force` was not given. */
  OUTPUT_EXISTS: 'OUTPUT_EXISTS',
  /** Writing the output failed (disk full, permissions, ...); nothing was left behind. */
  OUTPUT_WRITE_FAILED: 'OUTPUT_WRITE_FAILED',
  /** The operation was cancelled (AbortSignal, Ctrl-C); nothing was left behind. */
  ABORTED: 'ABORTED',

  // --- reading archives ---
  /** The archive path does not exist. */
  ARCHIVE_NOT_FOUND: 'ARCHIVE_NOT_FOUND',
  /** The file is not a zip, a tar.gz nor a folder we can read. */
  ARCHIVE_FORMAT_UNKNOWN: 'ARCHIVE_FORMAT_UNKNOWN',
  /** The archive structure is damaged (bad signatures, inconsistent central directory, bad gzip/tar data). */
  ARCHIVE_CORRUPT: 'ARCHIVE_CORRUPT',
  /** The archive ends early. */
  ARCHIVE_TRUNCATED: 'ARCHIVE_TRUNCATED',
  /** The zip spans several disks. */
  ARCHIVE_MULTI_DISK: 'ARCHIVE_MULTI_DISK',
  /** An entry is encrypted. */
  ENTRY_ENCRYPTED: 'ENTRY_ENCRYPTED',
  /** An entry uses a compression method other than store or deflate. */
  ENTRY_UNSUPPORTED_METHOD: 'ENTRY_UNSUPPORTED_METHOD',
  /** A requested entry is not in the archive. */
  ENTRY_NOT_FOUND: 'ENTRY_NOT_FOUND',
  /** An entry name is absolute (`/x`, `//server/x`). */
  ENTRY_ABSOLUTE_PATH: 'ENTRY_ABSOLUTE_PATH',
  /** An entry name has a `..` segment. */
  ENTRY_PATH_TRAVERSAL: 'ENTRY_PATH_TRAVERSAL',
  /** An entry name starts with a drive letter (`C:`). */
  ENTRY_DRIVE_PATH: 'ENTRY_DRIVE_PATH',
  /** An entry name contains a backslash. */
  ENTRY_BACKSLASH_PATH: 'ENTRY_BACKSLASH_PATH',
  /** An entry name contains a NUL byte or another control character. */
  ENTRY_NUL_BYTE: 'ENTRY_NUL_BYTE',
  /** A symbolic link entry points outside the extraction target. */
  ENTRY_SYMLINK_ESCAPES: 'ENTRY_SYMLINK_ESCAPES',
  /** A hard link entry points outside the extraction target (or to nothing). */
  ENTRY_HARDLINK_ESCAPES: 'ENTRY_HARDLINK_ESCAPES',
  /** An entry is a device file, FIFO or another special file. */
  ENTRY_SPECIAL_FILE: 'ENTRY_SPECIAL_FILE',
  /** Two entries have the same name. */
  ENTRY_DUPLICATE: 'ENTRY_DUPLICATE',
  /** Two entry names differ only by case (they collide on case-insensitive file systems). */
  ENTRY_CASE_COLLISION: 'ENTRY_CASE_COLLISION',
  /** Two entry names are equal after Unicode normalisation. */
  ENTRY_UNICODE_COLLISION: 'ENTRY_UNICODE_COLLISION',
  /** Two zip entries share bytes (overlapping local data: a zip-bomb technique). */
  ENTRY_OVERLAP: 'ENTRY_OVERLAP',
  /** An entry's data does not match its CRC-32. */
  ENTRY_CRC_MISMATCH: 'ENTRY_CRC_MISMATCH',
  /** An entry's actual size differs from its declared size. */
  ENTRY_SIZE_MISMATCH: 'ENTRY_SIZE_MISMATCH',
  /** The archive would expand past the total-size limit. */
  LIMIT_TOTAL_SIZE: 'LIMIT_TOTAL_SIZE',
  /** The archive has more entries than the limit. */
  LIMIT_ENTRY_COUNT: 'LIMIT_ENTRY_COUNT',
  /** An entry's compression ratio exceeds the limit. */
  LIMIT_COMPRESSION_RATIO: 'LIMIT_COMPRESSION_RATIO',
  /** An entry path is longer or deeper than the limit. */
  LIMIT_PATH_LENGTH: 'LIMIT_PATH_LENGTH',

  // --- integrity and signatures ---
  /** The archive carries no integrity record (`MAR-INF/integrity.json`). */
  INTEGRITY_MISSING: 'INTEGRITY_MISSING',
  /** Entries differ from the integrity record (modified, missing or extra entries). */
  INTEGRITY_MISMATCH: 'INTEGRITY_MISMATCH',
  /** The archive is not signed but a signature was required. */
  SIGNATURE_MISSING: 'SIGNATURE_MISSING',
  /** The signature does not verify with the given public key. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** A key file could not be read or is not an Ed25519 key of the expected kind. */
  KEY_INVALID: 'KEY_INVALID',
  /** `lint` found at least one error (or more warnings than allowed). */
  LINT_FAILED: 'LINT_FAILED',

  // --- runtime ---
  /** The handler module named by the manifest is not in the archive. */
  HANDLER_MODULE_NOT_FOUND: 'HANDLER_MODULE_NOT_FOUND',
  /** Importing the handler module threw; `cause` holds the real error and stack. */
  HANDLER_IMPORT_FAILED: 'HANDLER_IMPORT_FAILED',
  /** The handler string names a function the module does not export. */
  HANDLER_FUNCTION_NOT_FOUND: 'HANDLER_FUNCTION_NOT_FOUND',
  /** The handler module exports no usable entry point (no class, several classes, no handle method, ...). */
  HANDLER_INVALID: 'HANDLER_INVALID',
  /** `initialize(context)` threw. */
  HANDLER_INIT_FAILED: 'HANDLER_INIT_FAILED',
  /** The handler threw while handling a batch. */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** The handler returned a different number of results than the batch had requests. */
  BATCH_SIZE_MISMATCH: 'BATCH_SIZE_MISMATCH',
  /** A request or tensor input is malformed (wrong name, dtype, shape, undecodable image, bad JSON). */
  INPUT_INVALID: 'INPUT_INVALID',
  /** ONNX Runtime could not create a session for the model. */
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  /** ONNX Runtime failed while running the model. */
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  /** A required execution provider (`--require-ep`, `requireExecutionProvider`) could not be used; no CPU fallback. */
  EXECUTION_PROVIDER_UNAVAILABLE: 'EXECUTION_PROVIDER_UNAVAILABLE',
  /** An optional package a command needs is not installed (`predict` without `@model-archiver/runtime`). */
  RUNTIME_NOT_INSTALLED: 'RUNTIME_NOT_INSTALLED',
  /**
   * No usable Python for a Python handler: the interpreter (`--python`, `$PYTHON`, else `python3` on the PATH) is missing,
   * cannot be run, or is older than 3.9. The message names the fix.
   */
  PYTHON_NOT_FOUND: 'PYTHON_NOT_FOUND',
  /**
   * Installing an archive's `requirements.txt` into its own virtual environment failed (opt-in `installRequirements`):
   * the environment could not be created or pip failed; the message holds pip's last lines.
   */
  REQUIREMENTS_INSTALL_FAILED: 'REQUIREMENTS_INSTALL_FAILED',

  // --- server ---
  /** No model of that name (or version) is registered. */
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  /** A model of that name and version is already registered. */
  MODEL_ALREADY_REGISTERED: 'MODEL_ALREADY_REGISTERED',
  /** A model URL is remote, escapes the model store, or is not on the allow-list. */
  MODEL_URL_NOT_ALLOWED: 'MODEL_URL_NOT_ALLOWED',
  /** The model's queue is full or it has no worker. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A request did not finish within its timeout. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** A request body is larger than allowed. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The worker running the handler died while handling the request. */
  WORKER_DIED: 'WORKER_DIED',
  /** No route for that path. */
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  /** The route exists but not for that method. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** Token authorization is on and the request carries no valid, unexpired `Authorization: Bearer` key for its API. */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** The request target (path and query string) is longer than the server accepts. */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** The request headers are larger than the server accepts. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** A handler's answer cannot be sent: a status outside 100-599, or a header name or value HTTP forbids (CR, LF). */
  HANDLER_RESPONSE_INVALID: 'HANDLER_RESPONSE_INVALID',
  /** A handler's answer is larger than the server sends. */
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  /** The worker running the request went over the model's memory limit and was recycled. */
  WORKER_MEMORY_LIMIT: 'WORKER_MEMORY_LIMIT',
  /** The default version of a model cannot be unregistered while it has other versions (TorchServe: 403). */
  DEFAULT_VERSION_IN_USE: 'DEFAULT_VERSION_IN_USE',
  /** A worker count the server cannot scale to (a negative `min_worker`); TorchServe answers this with 500. */
  WORKER_COUNT_INVALID: 'WORKER_COUNT_INVALID',
  /** `model-server --start` found a server already running under the pid file. */
  SERVER_ALREADY_RUNNING: 'SERVER_ALREADY_RUNNING',
  /** `model-server --stop` found no running server under the pid file. */
  SERVER_NOT_RUNNING: 'SERVER_NOT_RUNNING',

  /** A bug: an unexpected condition. Please report it. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Extra data attached to an error; rendered by `--json` and the server's error bodies. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options of {@link ModelArchiveError}. */
export interface ModelArchiveErrorOptions {
  /** The low-level error that caused this one (errno, ORT, zod). */
  cause?: unknown;
  /** Structured context (paths, expected/actual values, issue lists). */
  details?: ErrorDetails;
}

/**
 * Every failure a user can cause is a `ModelArchiveError` with a stable {@link ErrorCode}.
 *
 * @example
 * throw new ModelArchiveError('INPUT_NOT_FOUND', `Serialized file not found: ${path}`, { details: { path } });
 */
export class ModelArchiveError extends Error {
  override readonly name = 'ModelArchiveError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: ModelArchiveErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** A plain object for JSON output: `{ code, message, details }`. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True for a {@link ModelArchiveError}, also across package copies (checks `name` and `code`, not `instanceof`). */
export const isModelArchiveError = (error: unknown): error is ModelArchiveError => {
  if (!(error instanceof Error) || error.name !== 'ModelArchiveError') return false;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ErrorCode, code);
};

/**
 * The coded error for work cancelled through its `AbortSignal` (the CLI's SIGINT/SIGTERM): `ABORTED`, "<activity> was
 * cancelled", with the signal's reason as the cause.
 */
export const abortedError = (activity: string, signal?: AbortSignal, details?: ErrorDetails): ModelArchiveError =>
  new ModelArchiveError('ABORTED', `${activity} was cancelled`, { cause: signal?.reason, ...(details === undefined ? {} : { details }) });

