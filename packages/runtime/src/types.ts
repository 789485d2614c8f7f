import type { AnyManifest } from '@model-archiver/core/read';

/** Options of {@link loadModel}. Everything is optional; defaults follow the reference loaders. */
export interface LoadOptions {
  /** Name the model is served under; default the manifest's `modelName`. */
  modelName?: string;
  /**
   * Handler string used instead of the manifest's (TorchServe's `handler` register parameter): a built-in name or
   * `module[:function]` inside the archive.
   */
  handler?: string;
  /** Largest batch the caller will send (`system_properties.batch_size`); default 1. */
  batchSize?: number;
  /** GPU index (`system_properties.gpu_id`); `null`/absent means CPU. Passed to the CUDA/TensorRT providers as `deviceId`. */
  gpuId?: number | null;
  /** ONNX Runtime execution providers, in order of preference (`cuda`, `tensorrt`, `cpu`, ...); default from the model config, else `['cpu']`. */
  executionProviders?: string[];
  /**
   * Sessions must run on the first of {@link executionProviders}: when it cannot load, `EXECUTION_PROVIDER_UNAVAILABLE`
   * instead of the CPU fallback (default false; the model config's `onnx.requireExecutionProvider` otherwise).
   */
  requireExecutionProvider?: boolean;
  /** Let ONNX Runtime and provider libraries print their native log lines on stderr (default false: kept off). */
  nativeLogs?: boolean;
  /** Graph optimisation level of ONNX sessions; default from the model config, else `all`. */
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** Intra-op threads of ONNX sessions (0 = ONNX Runtime's default); default from the model config, else 0. */
  intraOpNumThreads?: number;
  /** Inter-op threads of ONNX sessions (0 = ONNX Runtime's default); default from the model config, else 0. */
  interOpNumThreads?: number;
  /** Private cache the archive is materialised into; default `$MODEL_ARCHIVER_CACHE_DIR`, else `<tmpdir>/model-archiver-<uid>/cache`. */
  cacheDir?: string;
  /**
   * Check every file against `MAR-INF/integrity.json` (default true). With the check on, an archive without a record
   * is refused (`INTEGRITY_MISSING`) unless {@link LoadOptions.allowUnverified}; `false` skips the check entirely.
   */
  verifyIntegrity?: boolean;
  /**
   * Accept an archive that has no integrity record, unchecked (default false: fail closed). Archives made by the
   * reference tools (torch-model-archiver, MMS model-archiver) have none; rebuilding them with `model-archiver create`
   * adds one. An archive that has a record is always checked against it while `verifyIntegrity` is on.
   */
  allowUnverified?: boolean;
  /** `system_properties.server_name`; default `model-archiver`. */
  serverName?: string;
  /** `system_properties.server_version`; default this package's version. */
  serverVersion?: string;
  /** Cancels loading (extraction and initialisation). */
  signal?: AbortSignal;
  /** Receives non-fatal notices (execution provider fallback, a requirements file not installed, ...). Default: dropped. */
  onWarning?: (message: string) => void;
  /**
   * Python interpreter for archives with a Python handler (MMS/TorchServe runtime and a `.py` handler module);
   * default `$PYTHON`, else `python3` on the PATH.
   */
  python?: string;
  /**
   * Install the archive's `requirements.txt` (Python handlers) into a virtual environment of its own in the model cache
   * (built once per archive and interpreter, with the interpreter's packages visible) and run the handler there.
   * Default false: a requirements file is only reported through `onWarning`. Runs pip, i.e. code from the index.
   */
  installRequirements?: boolean;
  /** Receives each line a Python handler writes (print() and stderr go there, never into the protocol). Default: dropped. */
  onPythonOutput?: (line: string) => void;
}

/** ONNX Runtime graph optimisation levels. */
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'layout' | 'all';

/** One request of a batch, as a server or the CLI hands it over. */
export interface InferenceRequest {
  /** Raw bytes, text, or an already-parsed JSON value. */
  body: Buffer | string | unknown;
  /** MIME type of `body` (`application/json`, `text/plain`, `image/png`, ...). */
  contentType?: string;
  /** Request headers (names are matched case-insensitively). */
  headers?: Record<string, string>;
  /** Query or form parameters. */
  parameters?: Record<string, unknown>;
  /** Request id, visible to handlers as `context.getRequestId(index)`. */
  requestId?: string;
}

/** One result of a batch, in request order. */
export interface InferenceResponse {
  /** A Buffer (raw), a string (UTF-8 text) or a JSON-able value. */
  body: Buffer | string | unknown;
  contentType: string;
  /** HTTP-style status of this item (200 unless the handler set one). */
  status: number;
  headers: Record<string, string>;
}

/** An input or output tensor of the archive's ONNX model, with KServe v2 datatype names. */
export interface TensorMetadata {
  name: string;
  /** v2 names: FP32, FP64, FP16, INT8..INT64, UINT8..UINT64, BOOL, BYTES. */
  datatype: string;
  /** Dimensions; strings are symbolic (dynamic) dimensions. */
  shape: (number | string)[];
}

/** A loaded model: call {@link LoadedModel.handle} with batches, then {@link LoadedModel.close}. */
export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  /** The parsed `MAR-INF/MANIFEST.json`. */
  readonly manifest: AnyManifest;
  /** Folder the archive was materialised into (read-only by contract). */
  readonly modelDir: string;
  /** How the handler was resolved (`onnx (built-in)`, `handler.mjs default export (object)`, ...). */
  readonly handlerDescription: string;
  /** Runs one batch; resolves with exactly one response per request, in order. */
  handle(batch: InferenceRequest[]): Promise<InferenceResponse[]>;
  /** Inputs and outputs of the archive's ONNX model (the first session opened); empty if none. */
  metadata(): { inputs: TensorMetadata[]; outputs: TensorMetadata[] };
  /** Releases sessions and calls the handler's optional `close()`. Safe to call twice. */
  close(): Promise<void>;
}
