/**
 * The context handed to `initialize(context)` and with every batch: model name and folder, manifest, system
 * properties as the reference loaders pass them, the parsed model config, per-request headers and ids, per-item
 * response content type / status / headers, and `context.onnx` to open ONNX sessions.
 */
import type { AnyManifest } from '@model-archiver/core/read';

import { imageTools, type ImageTools } from './handlers/image-decode.js';
import type { OnnxSessionFactory } from './onnx/session-factory.js';

/** `context.systemProperties`, with the key names of the reference loaders. */
export interface SystemProperties {
  model_dir: string;
  /** GPU index, or `null` on CPU. */
  gpu_id: number | null;
  batch_size: number;
  server_name: string;
  server_version: string;
}

/** One request as a handler sees it: `body` decoded by content type (JSON parsed, text as string, else a Buffer). */
export interface HandlerRequest {
  body: unknown;
  /** The body exactly as it was received. */
  rawBody: unknown;
  /** Lower-case MIME type without parameters (`application/json`); empty when not given. */
  contentType: string;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  parameters: Record<string, unknown>;
  requestId: string;
}

/** Per-item response settings a handler may change during a batch. */
export interface ResponseSettings {
  contentType?: string;
  status: number;
  reason: string;
  headers: Record<string, string>;
}

/** What {@link HandlerContext} is built from. */
export interface HandlerContextInit {
  modelName: string;
  modelDir: string;
  manifest: AnyManifest;
  /** The manifest's `model.modelVersion`, when it has one. */
  modelVersion: string | undefined;
  systemProperties: SystemProperties;
  modelConfig: Record<string, unknown>;
  onnx: OnnxSessionFactory;
  warn: (message: string) => void;
}

/** The handler's view of the model and of the batch in flight. */
export class HandlerContext {
  readonly modelName: string;
  readonly modelDir: string;
  /** The archive's checked manifest (its flavour's zod-inferred type). */
  readonly manifest: AnyManifest;
  /** The manifest's `model.modelVersion`, when it has one (legacy MMS 0.x and some mms manifests have none). */
  readonly modelVersion: string | undefined;
  readonly systemProperties: Readonly<SystemProperties>;
  /** The parsed model config file (`model.configFile`, YAML or JSON); `{}` when the archive has none. */
  readonly modelConfig: Record<string, unknown>;
  /** Opens ONNX sessions with the model's execution providers and tuning; makes tensors. */
  readonly onnx: OnnxSessionFactory;
  /** Decodes PNG/JPEG bytes to RGB pixels (sharp), since handler modules cannot import the runtime's dependencies. */
  readonly image: ImageTools = imageTools;
  /** `{ index: requestId }` of the batch in flight. */
  requestIds: Record<number, string> = {};
  readonly #warn: (message: string) => void;
  #requests: readonly HandlerRequest[] = [];
  #responses: ResponseSettings[] = [];

  constructor(init: HandlerContextInit) {
    this.modelName = init.modelName;
    this.modelDir = init.modelDir;
    this.manifest = init.manifest;
    this.modelVersion = init.modelVersion;
    this.systemProperties = Object.freeze({ ...init.systemProperties });
    this.modelConfig = init.modelConfig;
    this.onnx = init.onnx;
    this.#warn = init.warn;
  }

  /** Alias of {@link modelConfig}, the name TorchServe uses (`model_yaml_config`). */
  get modelYamlConfig(): Record<string, unknown> {
    return this.modelConfig;
  }

  /** Requests in the batch in flight. */
  get batchSize(): number {
    return this.#requests.length;
  }

  /** Id of request `index` of the batch. */
  getRequestId(index = 0): string | undefined {
    return this.#requests[index]?.requestId;
  }

  /** A header of request `index` (case-insensitive), or `undefined`. */
  getRequestHeader(index: number, name: string): string | undefined {
    return this.#requests[index]?.headers[name.toLowerCase()];
  }

  /** Every header of request `index` (lower-case names). */
  getAllRequestHeaders(index: number): Record<string, string> {
    return { ...(this.#requests[index]?.headers ?? {}) };
  }

  /** Sets the content type of response `index`. */
  setResponseContentType(index: number, contentType: string): void {
    this.#response(index).contentType = contentType;
  }

  /** Sets the status (and reason phrase) of response `index` (default 0). */
  setResponseStatus(status = 200, reason = '', index = 0): void {
    const response = this.#response(index);
    response.status = status;
    response.reason = reason;
  }

  /** Sets the status of every response of the batch. */
  setAllResponseStatus(status = 200, reason = ''): void {
    for (let i = 0; i < this.#responses.length; i += 1) this.setResponseStatus(status, reason, i);
  }

  /** Sets a header of response `index`. */
  setResponseHeader(index: number, name: string, value: string): void {
    this.#response(index).headers[name.toLowerCase()] = value;
  }

  /** Sends a non-fatal notice to the loader's `onWarning`. */
  warn(message: string): void {
    this.#warn(message);
  }

  /** @internal Starts a batch: resets per-request state. */
  beginBatch(requests: readonly HandlerRequest[]): void {
    this.#requests = requests;
    this.requestIds = Object.fromEntries(requests.map((r, i) => [i, r.requestId]));
    this.#responses = requests.map(() => ({ status: 200, reason: '', headers: {} }));
  }

  /** @internal Ends a batch and returns the response settings the handler made. */
  endBatch(): ResponseSettings[] {
    const responses = this.#responses;
    this.#requests = [];
    this.#responses = [];
    this.requestIds = {};
    return responses;
  }

  #response(index: number): ResponseSettings {
    const response = this.#responses[index];
    if (response === undefined) throw new RangeError(`No request ${index} in this batch of ${this.#responses.length}`);
    return response;
  }
}
