import { ErrorCode, ModelArchiveError, isModelArchiveError } from '@model-archiver/core';

/**
 * Messages between the server and its workers: worker processes (Node IPC with `serialization: 'advanced'`, so byte
 * arrays travel as such) and worker threads (`postMessage`, byte arrays transferred when they own their buffer). The
 * server parses HTTP; the worker decodes bodies (JSON, text, bytes) as the reference backends do (docs/anchors.md §4.4),
 * calls the handler and encodes its answers back to bytes. Python workers (python-worker-process.ts) take the same
 * {@link WireRequest}s and give the same {@link WireResponse}s, carried in length-prefixed frames over stdin/stdout.
 */

/** A form field or file of a multipart request. */
export interface WirePart {
  name: string;
  contentType: string;
  filename?: string;
  data: Uint8Array;
}

/** Which API a request came through: decides decoding and how the answer is wrapped. */
export type WireRequestKind = 'predict' | 'v2-infer';

/** One request sent to a worker. */
export interface WireRequest {
  requestId: string;
  kind: WireRequestKind;
  /** Raw body (empty for multipart requests, whose fields are in `parts`). */
  body: Uint8Array;
  contentType: string;
  headers: Record<string, string>;
  /** Query parameters. */
  query: Record<string, string>;
  parts?: WirePart[];
}

/** A failure carried across the process boundary. */
export interface WireError {
  code: ErrorCode;
  message: string;
  /** Original error text and stack, for the log only (never sent to clients). */
  cause?: string;
}

/** One answer from a worker. */
export type WireResponse =
  | {
      ok: true;
      status: number;
      contentType: string;
      headers: Record<string, string>;
      body: Uint8Array;
      /** Milliseconds the handler took over the batch this request was in (TorchServe's `HandlerTime`). */
      handlerMs?: number;
    }
  | { ok: false; error: WireError };

/** What a worker learnt when its model loaded. */
export interface WireModelInfo {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  inputs: { name: string; datatype: string; shape: (number | string)[] }[];
  outputs: { name: string; datatype: string; shape: (number | string)[] }[];
  /** How the runtime resolved the handler (`onnx (built-in)`, `handler.mjs`...). */
  handler: string;
}

/** Load settings sent to a new worker. */
export interface WireLoad {
  type: 'load';
  archivePath: string;
  modelName: string;
  batchSize: number;
  verifyIntegrity: boolean;
  allowUnverified: boolean;
  /** ONNX Runtime intra-op threads per session (0: ONNX Runtime's default). */
  intraOpThreads: number;
  serverVersion: string;
  /** Handler string replacing the manifest's (the `handler` register parameter); absent: the manifest's. */
  handler?: string;
}

/** Server → worker. */
export type ToWorker = WireLoad | { type: 'batch'; id: number; requests: WireRequest[] } | { type: 'close' };

/** Worker → server. */
export type FromWorker =
  | { type: 'ready'; info: WireModelInfo }
  | { type: 'load-failed'; error: WireError }
  | { type: 'result'; id: number; responses: WireResponse[] };

/**
 * Flattens an error for IPC. Errors without a code become `fallback` with `fallbackMessage` (their own text, which may
 * reveal handler internals, goes to the log only).
 */
export const toWireError = (error: unknown, fallback: ErrorCode, fallbackMessage: string): WireError => {
  if (isModelArchiveError(error)) {
    const cause = error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : undefined;
    return cause === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, cause };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: fallback, message: fallbackMessage, cause: text };
};

/** Rebuilds a {@link ModelArchiveError} from its IPC form. */
export const fromWireError = (error: WireError): ModelArchiveError =>
  new ModelArchiveError(Object.hasOwn(ErrorCode, error.code) ? error.code : ErrorCode.INTERNAL, error.message, {
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });

/**
 * The handler time a worker reported with a batch's answers (the same on each answer of the batch), when it is a
 * finite, non-negative number of milliseconds; `undefined` otherwise (no answer succeeded, or the worker did not say).
 */
export const handlerTimeOf = (responses: readonly (WireResponse | undefined)[]): number | undefined => {
  for (const response of responses) {
    if (response?.ok !== true) continue;
    const { handlerMs } = response;
    if (typeof handlerMs === 'number' && Number.isFinite(handlerMs) && handlerMs >= 0) return handlerMs;
  }
  return undefined;
};
