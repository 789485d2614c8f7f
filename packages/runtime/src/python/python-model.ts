/**
 * A {@link LoadedModel} whose handler runs in a Python worker process: what `loadModel` returns for an archive with a
 * Python handler (`predict`, `lint --load`, library users). Requests are sent as bytes with their content type (the
 * worker decodes them as the reference backends do); answers come back decoded by content type.
 */
import { ModelArchiveError } from '@model-archiver/core/read';
import type { AnyManifest } from '@model-archiver/core/read';

import type { InferenceRequest, InferenceResponse, LoadedModel, TensorMetadata } from '../types.js';
import type { PythonRequest, PythonResponse, PythonTarget } from './python-protocol.js';
import { PythonWorker, pythonErrorToModelError } from './python-worker.js';
import type { PythonWorkerOptions } from './python-worker.js';

const isJson = (contentType: string): boolean => /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);

/** A runtime request as bytes: Buffers as they are, strings as UTF-8 text, anything else as JSON. */
export const toPythonRequest = (request: InferenceRequest, index: number): PythonRequest => {
  const { body } = request;
  let bytes: Uint8Array;
  let contentType = request.contentType;
  if (body instanceof Uint8Array) {
    bytes = body;
    contentType ??= 'application/octet-stream';
  } else if (typeof body === 'string') {
    bytes = Buffer.from(body, 'utf8');
    contentType ??= 'text/plain';
  } else {
    bytes = Buffer.from(JSON.stringify(body ?? null), 'utf8');
    contentType = contentType !== undefined && isJson(contentType) ? contentType : 'application/json';
  }
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.parameters ?? {})) if (typeof value === 'string') query[key] = value;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers ?? {})) headers[key.toLowerCase()] = value;
  return { requestId: request.requestId ?? String(index + 1), body: bytes, contentType, headers, query };
};

/** A worker answer as a runtime response: JSON parsed, text as a string, else a Buffer. */
export const fromPythonResponse = (response: Extract<PythonResponse, { ok: true }>): InferenceResponse => {
  const buffer = Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength);
  let body: unknown = buffer;
  if (isJson(response.contentType)) {
    try {
      body = JSON.parse(buffer.toString('utf8'));
    } catch {
      body = buffer;
    }
  } else if (/^text\//i.test(response.contentType)) {
    body = buffer.toString('utf8');
  }
  return { body, contentType: response.contentType, status: response.status, headers: response.headers };
};

/** The loaded model; create it with {@link PythonModel.open}. */
export class PythonModel implements LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly manifest: AnyManifest;
  readonly modelDir: string;
  /** The manifest's handler string, run by Python (`handler.py:handle (python)`). */
  readonly handlerDescription: string;
  readonly #worker: PythonWorker;
  #closed = false;

  private constructor(target: PythonTarget, worker: PythonWorker) {
    this.name = target.name;
    this.version = target.version;
    this.manifest = target.manifest;
    this.modelDir = target.modelDir;
    this.handlerDescription = `${target.handler} (python)`;
    this.#worker = worker;
  }

  /** Starts the worker and loads the handler (see {@link PythonWorker.start} for the errors). */
  static async open(options: PythonWorkerOptions): Promise<PythonModel> {
    return new PythonModel(options.target, await PythonWorker.start(options));
  }

  /** The Python process (pid, interpreter, resolved entry point). */
  get worker(): PythonWorker {
    return this.#worker;
  }

  /** Runs one batch. A failed batch rejects with its coded error, the Python traceback appended to the message. */
  async handle(batch: InferenceRequest[]): Promise<InferenceResponse[]> {
    if (!Array.isArray(batch)) throw new TypeError('handle() takes a list of requests');
    if (this.#closed) throw new ModelArchiveError('WORKER_DIED', `Model ${this.name} is closed`);
    const responses = await this.#worker.run(batch.map(toPythonRequest));
    return responses.map((response) => {
      if (response.ok) return fromPythonResponse(response);
      throw pythonErrorToModelError(response.error, { tracebackInMessage: true });
    });
  }

  /** Python handlers expose no tensor metadata. */
  metadata(): { inputs: TensorMetadata[]; outputs: TensorMetadata[] } {
    return { inputs: [], outputs: [] };
  }

  /** Stops the worker process. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#worker.stop();
  }
}
