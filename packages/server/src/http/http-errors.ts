import { ErrorCode, ModelArchiveError, isModelArchiveError } from '@model-archiver/core';

/** How one error code is answered over HTTP: the status and the TorchServe/MMS exception type name. */
export interface HttpErrorMapping {
  /** HTTP status code. */
  status: number;
  /** Exception type name as the reference servers print it in `"type"`. */
  type: string;
}

const badRequest = { status: 400, type: 'BadRequestException' } as const;
const invalidArchive = { status: 400, type: 'ModelException' } as const;
const notFound = { status: 404, type: 'ModelNotFoundException' } as const;
const internal = { status: 500, type: 'InternalServerException' } as const;
const unavailable = { status: 503, type: 'ServiceUnavailableException' } as const;
const predictionFailed = { status: 503, type: 'InternalServerException' } as const;

/**
 * The only mapping from {@link ErrorCode} to HTTP status and exception type (docs/anchors.md §5). A new error code does
 * not compile until it is listed here.
 */
export const httpErrorFor = {
  INVALID_OPTION: badRequest,
  MODEL_NAME_INVALID: badRequest,
  MODEL_VERSION_INVALID: badRequest,
  MANIFEST_INVALID: invalidArchive,
  MANIFEST_MISSING: invalidArchive,
  INPUT_NOT_FOUND: notFound,
  INPUT_NOT_DIRECTORY: badRequest,
  HANDLER_NOT_FOUND: invalidArchive,
  SYMLINK_DANGLING: invalidArchive,
  SYMLINK_ESCAPES: invalidArchive,
  ENTRY_COLLISION: invalidArchive,
  RESERVED_PATH: invalidArchive,
  INPUT_READ_FAILED: internal,
  OUTPUT_EXISTS: { status: 409, type: 'ConflictStatusException' },
  OUTPUT_WRITE_FAILED: internal,
  ABORTED: unavailable,
  ARCHIVE_NOT_FOUND: notFound,
  ARCHIVE_FORMAT_UNKNOWN: invalidArchive,
  ARCHIVE_CORRUPT: invalidArchive,
  ARCHIVE_TRUNCATED: invalidArchive,
  ARCHIVE_MULTI_DISK: invalidArchive,
  ENTRY_ENCRYPTED: invalidArchive,
  ENTRY_UNSUPPORTED_METHOD: invalidArchive,
  ENTRY_NOT_FOUND: invalidArchive,
  ENTRY_ABSOLUTE_PATH: invalidArchive,
  ENTRY_PATH_TRAVERSAL: invalidArchive,
  ENTRY_DRIVE_PATH: invalidArchive,
  ENTRY_BACKSLASH_PATH: invalidArchive,
  ENTRY_NUL_BYTE: invalidArchive,
  ENTRY_SYMLINK_ESCAPES: invalidArchive,
  ENTRY_HARDLINK_ESCAPES: invalidArchive,
  ENTRY_SPECIAL_FILE: invalidArchive,
  ENTRY_DUPLICATE: invalidArchive,
  ENTRY_CASE_COLLISION: invalidArchive,
  ENTRY_UNICODE_COLLISION: invalidArchive,
  ENTRY_OVERLAP: invalidArchive,
  ENTRY_CRC_MISMATCH: invalidArchive,
  ENTRY_SIZE_MISMATCH: invalidArchive,
  LIMIT_TOTAL_SIZE: invalidArchive,
  LIMIT_ENTRY_COUNT: invalidArchive,
  LIMIT_COMPRESSION_RATIO: invalidArchive,
  LIMIT_PATH_LENGTH: invalidArchive,
  INTEGRITY_MISSING: invalidArchive,
  INTEGRITY_MISMATCH: invalidArchive,
  SIGNATURE_MISSING: invalidArchive,
  SIGNATURE_INVALID: invalidArchive,
  KEY_INVALID: badRequest,
  LINT_FAILED: invalidArchive,
  HANDLER_MODULE_NOT_FOUND: internal,
  HANDLER_IMPORT_FAILED: internal,
  HANDLER_FUNCTION_NOT_FOUND: internal,
  HANDLER_INVALID: internal,
  HANDLER_INIT_FAILED: internal,
  HANDLER_FAILED: predictionFailed,
  BATCH_SIZE_MISMATCH: predictionFailed,
  INPUT_INVALID: badRequest,
  MODEL_LOAD_FAILED: internal,
  INFERENCE_FAILED: predictionFailed,
  EXECUTION_PROVIDER_UNAVAILABLE: internal,
  RUNTIME_NOT_INSTALLED: internal,
  PYTHON_NOT_FOUND: internal,
  REQUIREMENTS_INSTALL_FAILED: internal,
  MODEL_NOT_FOUND: notFound,
  MODEL_ALREADY_REGISTERED: { status: 409, type: 'ConflictStatusException' },
  MODEL_URL_NOT_ALLOWED: { status: 400, type: 'DownloadArchiveException' },
  SERVICE_UNAVAILABLE: unavailable,
  REQUEST_TIMEOUT: { status: 408, type: 'RequestTimeoutException' },
  PAYLOAD_TOO_LARGE: { status: 413, type: 'PayloadTooLargeException' },
  WORKER_DIED: { status: 503, type: 'WorkerDiedException' },
  ROUTE_NOT_FOUND: { status: 404, type: 'ResourceNotFoundException' },
  METHOD_NOT_ALLOWED: { status: 405, type: 'MethodNotAllowedException' },
  TOKEN_INVALID: { status: 401, type: 'InvalidKeyException' },
  URI_TOO_LONG: { status: 414, type: 'UriTooLongException' },
  HEADERS_TOO_LARGE: { status: 431, type: 'RequestHeaderFieldsTooLargeException' },
  HANDLER_RESPONSE_INVALID: internal,
  RESPONSE_TOO_LARGE: internal,
  WORKER_MEMORY_LIMIT: { status: 507, type: 'WorkerMemoryLimitException' },
  DEFAULT_VERSION_IN_USE: { status: 403, type: 'InvalidModelVersionException' },
  WORKER_COUNT_INVALID: internal,
  SERVER_ALREADY_RUNNING: { status: 409, type: 'ConflictStatusException' },
  SERVER_NOT_RUNNING: unavailable,
  INTERNAL: internal,
} as const satisfies Record<ErrorCode, HttpErrorMapping>;

/** JSON body of every error answer: the reference servers' `ErrorResponse` plus our stable `errorCode`. */
export interface HttpErrorBody {
  /** HTTP status, repeated as in TorchServe/MMS. */
  code: number;
  /** TorchServe/MMS exception type name. */
  type: string;
  message: string;
  /** Stable {@link ErrorCode}. */
  errorCode: ErrorCode;
}

/** Turns anything thrown into a {@link ModelArchiveError}; unknown errors become `INTERNAL` (their text is not sent). */
export const toModelArchiveError = (error: unknown): ModelArchiveError => {
  if (isModelArchiveError(error)) return error;
  return new ModelArchiveError(ErrorCode.INTERNAL, 'Internal server error.', { cause: error });
};

/** Status and body for an error. */
export const httpErrorBody = (error: unknown): HttpErrorBody => {
  const mae = toModelArchiveError(error);
  const mapping: HttpErrorMapping = httpErrorFor[mae.code];
  return { code: mapping.status, type: mapping.type, message: mae.message, errorCode: mae.code };
};
