import type { ErrorCode } from '@model-archiver/core';

/** Exit codes of `model-archiver` (documented in docs/cli.md). */
export const ExitCode = {
  OK: 0,
  /** A check failed: lint errors, verify mismatches, an invalid signature. */
  CHECK_FAILED: 1,
  /** Bad command line: unknown flag, missing required flag, conflicting options. */
  USAGE: 2,
  /** An input value is invalid: model name, version, manifest, colliding or reserved entries, bad tensors. */
  INVALID_INPUT: 3,
  /** Something named does not exist: an input file, the archive, the handler, the manifest, an entry. */
  NOT_FOUND: 4,
  /** The output exists and --force was not given. */
  OUTPUT_EXISTS: 5,
  /** Reading inputs or writing the output failed (I/O, disk full, permissions). */
  IO_FAILED: 6,
  /** The archive is unsafe, corrupt, or over a safety limit. */
  UNSAFE_ARCHIVE: 7,
  /** The model or its handler failed to load or to run. */
  MODEL_FAILED: 8,
  /** A bug (an unexpected error); the stack is printed. */
  INTERNAL: 70,
  /** Interrupted (Ctrl-C / SIGINT). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The only mapping from error codes to exit codes. A new error code does not compile until it is listed here. */
export const exitCodeFor = {
  INVALID_OPTION: ExitCode.USAGE,
  MODEL_NAME_INVALID: ExitCode.INVALID_INPUT,
  MODEL_VERSION_INVALID: ExitCode.INVALID_INPUT,
  MANIFEST_INVALID: ExitCode.INVALID_INPUT,
  MANIFEST_MISSING: ExitCode.NOT_FOUND,
  INPUT_NOT_FOUND: ExitCode.NOT_FOUND,
  INPUT_NOT_DIRECTORY: ExitCode.NOT_FOUND,
  HANDLER_NOT_FOUND: ExitCode.NOT_FOUND,
  SYMLINK_DANGLING: ExitCode.NOT_FOUND,
  SYMLINK_ESCAPES: ExitCode.INVALID_INPUT,
  ENTRY_COLLISION: ExitCode.INVALID_INPUT,
  RESERVED_PATH: ExitCode.INVALID_INPUT,
  INPUT_READ_FAILED: ExitCode.IO_FAILED,
  OUTPUT_EXISTS: ExitCode.OUTPUT_EXISTS,
  OUTPUT_WRITE_FAILED: ExitCode.IO_FAILED,
  ABORTED: ExitCode.INTERRUPTED,
  ARCHIVE_NOT_FOUND: ExitCode.NOT_FOUND,
  ARCHIVE_FORMAT_UNKNOWN: ExitCode.UNSAFE_ARCHIVE,
  ARCHIVE_CORRUPT: ExitCode.UNSAFE_ARCHIVE,
  ARCHIVE_TRUNCATED: ExitCode.UNSAFE_ARCHIVE,
  ARCHIVE_MULTI_DISK: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_ENCRYPTED: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_UNSUPPORTED_METHOD: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_NOT_FOUND: ExitCode.NOT_FOUND,
  ENTRY_ABSOLUTE_PATH: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_PATH_TRAVERSAL: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_DRIVE_PATH: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_BACKSLASH_PATH: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_NUL_BYTE: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_SYMLINK_ESCAPES: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_HARDLINK_ESCAPES: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_SPECIAL_FILE: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_DUPLICATE: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_CASE_COLLISION: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_UNICODE_COLLISION: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_OVERLAP: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_CRC_MISMATCH: ExitCode.UNSAFE_ARCHIVE,
  ENTRY_SIZE_MISMATCH: ExitCode.UNSAFE_ARCHIVE,
  LIMIT_TOTAL_SIZE: ExitCode.UNSAFE_ARCHIVE,
  LIMIT_ENTRY_COUNT: ExitCode.UNSAFE_ARCHIVE,
  LIMIT_COMPRESSION_RATIO: ExitCode.UNSAFE_ARCHIVE,
  LIMIT_PATH_LENGTH: ExitCode.UNSAFE_ARCHIVE,
  INTEGRITY_MISSING: ExitCode.CHECK_FAILED,
  INTEGRITY_MISMATCH: ExitCode.CHECK_FAILED,
  SIGNATURE_MISSING: ExitCode.CHECK_FAILED,
  SIGNATURE_INVALID: ExitCode.CHECK_FAILED,
  KEY_INVALID: ExitCode.INVALID_INPUT,
  LINT_FAILED: ExitCode.CHECK_FAILED,
  HANDLER_MODULE_NOT_FOUND: ExitCode.MODEL_FAILED,
  HANDLER_IMPORT_FAILED: ExitCode.MODEL_FAILED,
  HANDLER_FUNCTION_NOT_FOUND: ExitCode.MODEL_FAILED,
  HANDLER_INVALID: ExitCode.MODEL_FAILED,
  HANDLER_INIT_FAILED: ExitCode.MODEL_FAILED,
  HANDLER_FAILED: ExitCode.MODEL_FAILED,
  BATCH_SIZE_MISMATCH: ExitCode.MODEL_FAILED,
  INPUT_INVALID: ExitCode.INVALID_INPUT,
  MODEL_LOAD_FAILED: ExitCode.MODEL_FAILED,
  INFERENCE_FAILED: ExitCode.MODEL_FAILED,
  PYTHON_NOT_FOUND: ExitCode.MODEL_FAILED,
  REQUIREMENTS_INSTALL_FAILED: ExitCode.MODEL_FAILED,
  MODEL_NOT_FOUND: ExitCode.NOT_FOUND,
  MODEL_ALREADY_REGISTERED: ExitCode.INVALID_INPUT,
  MODEL_URL_NOT_ALLOWED: ExitCode.INVALID_INPUT,
  SERVICE_UNAVAILABLE: ExitCode.MODEL_FAILED,
  REQUEST_TIMEOUT: ExitCode.MODEL_FAILED,
  PAYLOAD_TOO_LARGE: ExitCode.INVALID_INPUT,
  WORKER_DIED: ExitCode.MODEL_FAILED,
  ROUTE_NOT_FOUND: ExitCode.NOT_FOUND,
  METHOD_NOT_ALLOWED: ExitCode.USAGE,
  TOKEN_INVALID: ExitCode.USAGE,
  URI_TOO_LONG: ExitCode.INVALID_INPUT,
  HEADERS_TOO_LARGE: ExitCode.INVALID_INPUT,
  HANDLER_RESPONSE_INVALID: ExitCode.MODEL_FAILED,
  RESPONSE_TOO_LARGE: ExitCode.MODEL_FAILED,
  WORKER_MEMORY_LIMIT: ExitCode.MODEL_FAILED,
  INTERNAL: ExitCode.INTERNAL,
} as const satisfies Record<ErrorCode, ExitCode>;
