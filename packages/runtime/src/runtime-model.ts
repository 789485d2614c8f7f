/**
 * The {@link LoadedModel} returned by `loadModel`: runs batches one at a time through the handler (the context's
 * per-batch state is not shared between batches), checks the batch contract, and converts results to responses.
 */
import { ModelArchiveError, isModelArchiveError, type AnyManifest, type ErrorCode } from '@model-archiver/core/read';

import { checkResults, toHandlerRequests, toResponse } from './handlers/batch.js';
import type { HandlerContext } from './context.js';
import type { HandlerRuntime } from './handlers/handler-forms.js';
import type { OnnxSessionFactory } from './onnx/session-factory.js';
import { onnxToV2 } from './onnx/tensors.js';
import type { InferenceRequest, InferenceResponse, LoadedModel, TensorMetadata } from './types.js';

/** What a {@link RuntimeModel} is made of. */
export interface RuntimeModelParts {
  name: string;
  version: string;
  manifest: AnyManifest;
  modelDir: string;
  handler: HandlerRuntime;
  context: HandlerContext;
  onnx: OnnxSessionFactory;
}

/** Codes a handler may throw itself (as `error.code`) to be reported as such rather than as HANDLER_FAILED. */
const HANDLER_CODES: ReadonlySet<string> = new Set(['INPUT_INVALID', 'INFERENCE_FAILED', 'HANDLER_FAILED']);

const wrapHandlerError = (error: unknown, description: string): ModelArchiveError => {
  if (isModelArchiveError(error)) return error;
  const err = error instanceof Error ? error : new Error(String(error));
  const own = (err as { code?: unknown }).code;
  const code: ErrorCode = typeof own === 'string' && HANDLER_CODES.has(own) ? (own as ErrorCode) : 'HANDLER_FAILED';
  return new ModelArchiveError(code, `Handler ${description} failed: ${err.name}: ${err.message}`, {
    cause: err,
    details: { handler: description, error: `${err.name}: ${err.message}`, stack: err.stack },
  });
};

/** A loaded, initialised model. */
export class RuntimeModel implements LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly manifest: AnyManifest;
  readonly modelDir: string;
  readonly #handler: HandlerRuntime;
  readonly #context: HandlerContext;
  readonly #onnx: OnnxSessionFactory;
  #queue: Promise<unknown> = Promise.resolve();
  #closed: Promise<void> | undefined;

  constructor(parts: RuntimeModelParts) {
    this.name = parts.name;
    this.version = parts.version;
    this.manifest = parts.manifest;
    this.modelDir = parts.modelDir;
    this.#handler = parts.handler;
    this.#context = parts.context;
    this.#onnx = parts.onnx;
  }

  /** How the handler was resolved (for logs). */
  get handlerDescription(): string {
    return this.#handler.description;
  }

  handle(batch: InferenceRequest[]): Promise<InferenceResponse[]> {
    if (this.#closed !== undefined) {
      return Promise.reject(new ModelArchiveError('SERVICE_UNAVAILABLE', `Model ${this.name} is closed`, { details: { model: this.name } }));
    }
    const run = this.#queue.then(() => this.#run(batch));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(batch: InferenceRequest[]): Promise<InferenceResponse[]> {
    if (!Array.isArray(batch)) throw new TypeError('handle() takes a list of requests');
    if (batch.length === 0) return [];
    const requests = toHandlerRequests(batch);
    const context = this.#context;
    context.beginBatch(requests);
    try {
      let results: unknown;
      try {
        results = await this.#handler.handle(requests, context);
      } catch (error) {
        throw wrapHandlerError(error, this.#handler.description);
      }
      const list = checkResults(results, requests.length);
      const settings = context.endBatch();
      return list.map((result, i) => toResponse(result, settings[i]!));
    } finally {
      context.endBatch();
    }
  }

  metadata(): { inputs: TensorMetadata[]; outputs: TensorMetadata[] } {
    const session = this.#onnx.sessions[0];
    if (session === undefined) return { inputs: [], outputs: [] };
    const convert = (v: { name: string; type: string; shape: (number | string)[] }): TensorMetadata => ({
      name: v.name,
      datatype: onnxToV2(v.type),
      shape: [...v.shape],
    });
    return { inputs: session.inputs.map(convert), outputs: session.outputs.map(convert) };
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#queue;
      try {
        await this.#handler.close(this.#context);
      } catch (error) {
        this.#context.warn(`close() of handler ${this.#handler.description} failed: ${(error as Error).message}`);
      } finally {
        await this.#onnx.releaseAll();
      }
    })();
    return this.#closed;
  }
}
