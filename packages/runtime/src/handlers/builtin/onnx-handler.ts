/**
 * Built-in `onnx` handler: generic tensors in and out, in the KServe v2 / Open Inference Protocol JSON.
 * Request: `{ "id"?, "inputs": [{ "name", "datatype", "shape", "data" }], "outputs"?: [{ "name" }] }`.
 * Response: `{ "model_name", "model_version", "id"?, "outputs": [{ "name", "datatype", "shape", "data" }] }`; with the
 * boolean request parameter `binary_tensor_data` (set by the server, never by a query string), outputs asked as binary
 * data (`binary_data` / `binary_data_output`) keep their typed array as `data`.
 * Every input of every request is checked against the model (name, datatype, rank, fixed dimensions) before ONNX
 * Runtime runs; requests of the same shape run as one stacked call (see `onnx-batch.ts`).
 */
import { ModelArchiveError } from '@model-archiver/core/read';

import type { HandlerContext, HandlerRequest } from '../../context.js';
import type { OnnxSession, OnnxTensor, OnnxValueInfo } from '../../onnx/onnx.js';
import { onnxToV2, parseV2Tensor, toTensorData, toV2Tensor, type V2Tensor } from '../../onnx/tensors.js';
import { groupRequests, modelBatches, runStacked, type PreparedRequest } from './onnx-batch.js';

const invalid = (message: string, details: Record<string, unknown>): ModelArchiveError =>
  new ModelArchiveError('INPUT_INVALID', message, { details });

const parseBody = (request: HandlerRequest, index: number): Record<string, unknown> => {
  let body = request.body;
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch (cause) {
      throw new ModelArchiveError('INPUT_INVALID', `Request ${index}: body is not JSON`, { cause, details: { request: index } });
    }
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Record<string, unknown>)['inputs'])) {
    throw invalid(`Request ${index}: expected a JSON object with an "inputs" list (KServe v2 tensors)`, { request: index });
  }
  return body as Record<string, unknown>;
};

const checkShape = (info: OnnxValueInfo, shape: readonly number[]): void => {
  if (info.shape.length === 0) return;
  const fits = info.shape.length === shape.length && info.shape.every((d, i) => typeof d === 'string' || d < 0 || d === shape[i]);
  if (!fits) {
    throw invalid(`Input ${info.name}: shape [${shape.join(', ')}] does not fit the model's [${info.shape.join(', ')}]`, {
      input: info.name,
      expected: info.shape,
      actual: shape,
    });
  }
};

/**
 * True when the request asks for `output` as binary data (Open Inference Protocol binary tensor data extension): the
 * output's own `parameters.binary_data`, else the request's `parameters.binary_data_output`.
 */
const wantsBinary = (body: Record<string, unknown>, output: string): boolean => {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  const requested = Array.isArray(body['outputs']) ? (body['outputs'] as unknown[]).find((o) => isObject(o) && o['name'] === output) : undefined;
  const own = isObject(requested) && isObject(requested['parameters']) ? requested['parameters']['binary_data'] : undefined;
  if (typeof own === 'boolean') return own;
  const parameters = body['parameters'];
  return isObject(parameters) && parameters['binary_data_output'] === true;
};

/** The built-in generic tensor handler. */
export class OnnxTensorHandler {
  #session: OnnxSession | undefined;

  /** Opens the archive's model. */
  async initialize(context: HandlerContext): Promise<void> {
    this.#session = await context.onnx.createSession();
  }

  /**
   * Checks every request first (a bad one throws INPUT_INVALID before anything runs), then runs each group of
   * requests with the same input names, types and trailing dimensions as ONE call stacked along the first dimension
   * (when the model's first dimensions are dynamic), and the others one by one.
   */
  async handle(batch: HandlerRequest[], context: HandlerContext): Promise<unknown[]> {
    const session = this.#session;
    if (session === undefined) throw new ModelArchiveError('HANDLER_FAILED', 'The onnx handler was not initialised');
    const { modelVersion } = context;
    const bodies = batch.map((request, index) => parseBody(request, index));
    const prepared: PreparedRequest[] = bodies.map((body) => ({
      feeds: this.#feeds(session, body['inputs'] as unknown[]),
      outputNames: this.#outputNames(session, body['outputs']),
    }));
    const outputs: Record<string, OnnxTensor>[] = new Array(batch.length);
    for (const group of groupRequests(prepared, modelBatches(session))) {
      const members = group.map((i) => prepared[i] as PreparedRequest);
      const stacked = members.length > 1 ? await runStacked(session, members) : undefined;
      if (stacked !== undefined) {
        group.forEach((i, k) => (outputs[i] = stacked[k] as Record<string, OnnxTensor>));
        continue;
      }
      for (const i of group) {
        const request = prepared[i] as PreparedRequest;
        outputs[i] = await session.run(request.feeds, request.outputNames);
      }
    }
    return bodies.map((body, i) => {
      const names = prepared[i]!.outputNames ?? session.outputs.map((o) => o.name);
      const id = body['id'];
      return {
        model_name: context.modelName,
        model_version: modelVersion ?? '1',
        ...(id === undefined ? {} : { id }),
        outputs: names.map((name): V2Tensor => {
          const tensor = outputs[i]![name] as OnnxTensor;
          // An output asked as binary data keeps its typed storage when the caller encodes it as bytes itself (it says
          // so with the boolean parameter `binary_tensor_data`, as the server's Open Inference Protocol route does):
          // a JSON list only to be turned back into bytes would cost more than the inference for large outputs.
          return batch[i]!.parameters['binary_tensor_data'] === true && wantsBinary(body, name) && tensor.type !== 'string'
            ? { name, datatype: onnxToV2(tensor.type), shape: [...tensor.dims], data: tensor.data as unknown as unknown[] }
            : toV2Tensor(name, tensor);
        }),
      };
    });
  }

  #feeds(session: OnnxSession, inputs: readonly unknown[]): Record<string, OnnxTensor> {
    const feeds: Record<string, OnnxTensor> = {};
    for (const [i, raw] of inputs.entries()) {
      const { name, type, shape, values } = parseV2Tensor(raw, i);
      const info = session.inputs.find((input) => input.name === name);
      if (info === undefined) {
        throw invalid(`Unknown input ${name}; the model's inputs are ${session.inputs.map((x) => x.name).join(', ')}`, {
          input: name,
          expected: session.inputs.map((x) => x.name),
        });
      }
      if (info.type !== 'unknown' && info.type !== type) {
        throw invalid(`Input ${name}: datatype ${onnxToV2(type)} but the model expects ${onnxToV2(info.type)}`, {
          input: name,
          expected: onnxToV2(info.type),
          actual: onnxToV2(type),
        });
      }
      if (feeds[name] !== undefined) throw invalid(`Input ${name} is given twice`, { input: name });
      checkShape(info, shape);
      feeds[name] = { type, data: toTensorData(type, values, name), dims: shape };
    }
    const missing = session.inputs.filter((input) => feeds[input.name] === undefined).map((input) => input.name);
    if (missing.length > 0) throw invalid(`Missing input ${missing.join(', ')}`, { missing });
    return feeds;
  }

  #outputNames(session: OnnxSession, requested: unknown): string[] | undefined {
    if (requested === undefined) return undefined;
    if (!Array.isArray(requested)) throw invalid('"outputs" must be a list of { "name": ... }', {});
    return requested.map((entry: unknown) => {
      const name = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['name'] : undefined;
      if (typeof name !== 'string' || !session.outputs.some((o) => o.name === name)) {
        throw invalid(`Unknown output ${String(name)}; the model's outputs are ${session.outputs.map((o) => o.name).join(', ')}`, {
          output: name,
          expected: session.outputs.map((o) => o.name),
        });
      }
      return name;
    });
  }
}
