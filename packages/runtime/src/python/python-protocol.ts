/**
 * Messages between the runtime and its Python worker (`python/model_archiver_worker/worker.py`), carried in frames
 * (frames.ts). Requests and responses have the shapes of the server's worker protocol (`WireRequest`,
 * `WireResponse` in `@model-archiver/server`), so the server hands its batches over unchanged.
 */
import type { AnyManifest, ErrorCode } from '@model-archiver/core/read';

/** A form field or file of a multipart request. */
export interface PythonRequestPart {
  name: string;
  contentType: string;
  filename?: string;
  data: Uint8Array;
}

/** One request of a batch: raw bytes; the worker decodes them by content type as the reference backends do. */
export interface PythonRequest {
  requestId: string;
  /** `v2-infer`: a KServe v2 request (JSON body; the answer is wrapped as `{id, model_name, model_version, outputs}`). */
  kind?: 'predict' | 'v2-infer';
  /** Raw body (empty for multipart requests, whose fields are in `parts`). */
  body: Uint8Array;
  contentType: string;
  headers: Record<string, string>;
  /** Query parameters (passed to the handler as parameters of the request). */
  query: Record<string, string>;
  parts?: PythonRequestPart[];
}

/** A failure reported by the worker. */
export interface PythonError {
  code: ErrorCode;
  message: string;
  /** Python traceback, for the log. */
  cause?: string;
}

/**
 * One answer: bytes with a content type and status, or an error. `handlerMs`: how long the handler took over the batch
 * the request was in (TorchServe's `HandlerTime`).
 */
export type PythonResponse =
  | { ok: true; status: number; contentType: string; headers: Record<string, string>; body: Uint8Array; handlerMs?: number }
  | { ok: false; error: PythonError };

/** Which reference server's conventions the context follows (`limit_max_image_pixels` is TorchServe's). */
export type PythonFlavour = 'mms' | 'torchserve';

/** A materialised archive whose handler is a Python module. */
export interface PythonTarget {
  /** Model folder (cwd of the worker, on `sys.path`). */
  modelDir: string;
  /** Parsed `MAR-INF/MANIFEST.json` (`context.manifest`). */
  manifest: AnyManifest;
  /** Model name (`context.model_name`). */
  name: string;
  version: string;
  /** The manifest's handler string. */
  handler: string;
  /** Its module part and function, split by core's `parseHandlerString` (the worker imports the module by name). */
  module: string;
  function?: string;
  flavour: PythonFlavour;
  /** Parsed model config (`context.model_yaml_config`; `{}` without one). */
  modelConfig: Record<string, unknown>;
  /** Archive path of a `requirements.txt` it carries (reported, never installed). */
  requirements?: string;
}

/** Server → worker. */
export type ToPython =
  | {
      type: 'load';
      modelDir: string;
      handler: string;
      module: string;
      function?: string;
      modelName: string;
      modelVersion: string;
      manifest: AnyManifest;
      batchSize: number;
      gpuId: number | null;
      serverVersion: string;
      flavour: PythonFlavour;
      modelConfig: Record<string, unknown>;
    }
  | { type: 'batch'; id: number; requests: PythonRequest[] }
  | { type: 'close' };

/** Worker → server. */
export type FromPython =
  | { type: 'ready'; python: string; executable: string; entry: string }
  | { type: 'load-failed'; error: PythonError }
  | { type: 'result'; id: number; responses: PythonResponse[] };
