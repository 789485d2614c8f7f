import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import type { InferenceRequest, InferenceResponse } from '@model-archiver/runtime';

import { decodeV2Request, encodeV2Response, INFERENCE_HEADER_LENGTH } from './kserve-binary.js';
import type { WireModelInfo, WirePart, WireRequest, WireResponse } from './worker-protocol.js';

const isJsonType = (contentType: string): boolean => /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType);
const isTextType = (contentType: string): boolean => /^text\//i.test(contentType);

const parseJson = (bytes: Uint8Array, what: string): unknown => {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, `${what} is not valid JSON.`, { cause: error });
  }
};

/** Decodes bytes by content type as the reference backends do: JSON parsed, `text/*` as a string, else a Buffer. */
export const decodeValue = (bytes: Uint8Array, contentType: string, what: string): unknown => {
  if (isJsonType(contentType)) return parseJson(bytes, what);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isTextType(contentType) ? buffer.toString('utf8') : buffer;
};

const pickBodyPart = (parts: readonly WirePart[]): WirePart | undefined =>
  parts.find((part) => part.name === 'data') ?? parts.find((part) => part.name === 'body') ?? parts[0];

/**
 * Builds the runtime request for one wire request. The raw body becomes `body`; for multipart requests the field named
 * `data` (else `body`, else the first part) becomes `body` and every field is also in `parameters`, with the query.
 * A v2 request must be a JSON object with an `inputs` array, optionally followed by binary tensor data (the binary
 * data extension, see `kserve-binary.ts`). Throws `INPUT_INVALID`.
 */
export const toInferenceRequest = (wire: WireRequest): InferenceRequest => {
  const parameters: Record<string, unknown> = { ...wire.query };
  const base = { headers: wire.headers, requestId: wire.requestId };
  if (wire.kind === 'v2-infer') {
    const body = decodeV2Request(wire.body, wire.headers[INFERENCE_HEADER_LENGTH]);
    const bodyParameters = body.parameters;
    if (typeof bodyParameters === 'object' && bodyParameters !== null) Object.assign(parameters, bodyParameters);
    // This route encodes outputs asked as binary data itself (kserve-binary.ts): the built-in onnx handler may keep
    // their typed arrays. A boolean, which no query string or form field can be.
    parameters.binary_tensor_data = true;
    return { ...base, body, contentType: 'application/json', parameters };
  }
  if (wire.parts !== undefined && wire.parts.length > 0) {
    for (const part of wire.parts) parameters[part.name] = decodeValue(part.data, part.contentType, `Field "${part.name}"`);
    const chosen = pickBodyPart(wire.parts);
    const body = chosen === undefined ? undefined : parameters[chosen.name];
    return { ...base, body, contentType: chosen?.contentType ?? 'application/octet-stream', parameters };
  }
  return { ...base, body: decodeValue(wire.body, wire.contentType, 'The request body'), contentType: wire.contentType, parameters };
};

const toBytes = (body: unknown): { bytes: Uint8Array; json: boolean } => {
  if (body instanceof Uint8Array) return { bytes: body, json: false };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), json: false };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), json: false };
  let text: string | undefined;
  try {
    text = JSON.stringify(body, null, 2);
  } catch {
    // 64-bit integer outputs: retry with a (slower) replacer that writes them as numbers.
    try {
      text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value), 2);
    } catch (error) {
      throw new ModelArchiveError(ErrorCode.HANDLER_FAILED, 'Unsupported model output data type.', { cause: error });
    }
  }
  return { bytes: Buffer.from(text ?? 'null', 'utf8'), json: true };
};

const lowerHeaders = (headers: Record<string, string> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) if (typeof value === 'string') out[key.toLowerCase()] = value;
  return out;
};

const v2Outputs = (body: unknown): unknown => {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && Array.isArray((body as { outputs?: unknown }).outputs)) {
    return (body as { outputs: unknown }).outputs;
  }
  throw new ModelArchiveError(ErrorCode.HANDLER_FAILED, 'The handler did not return Open Inference Protocol outputs.');
};

/**
 * Encodes one handler answer: bytes sent raw, strings as UTF-8, anything else as JSON (`application/json`). For v2
 * requests a 2xx answer is wrapped as `{id, model_name, model_version, outputs}`.
 */
export const toWireResponse = (wire: WireRequest, decoded: InferenceRequest | undefined, response: InferenceResponse, info: WireModelInfo): WireResponse => {
  // An out-of-range status is passed on as is: the server refuses it with HANDLER_RESPONSE_INVALID (http/answer-head.ts).
  const status = typeof response.status === 'number' ? response.status : 200;
  let body: unknown = response.body;
  if (wire.kind === 'v2-infer' && status < 300) {
    const requestBody = decoded?.body as { id?: unknown } | undefined;
    const id = typeof requestBody?.id === 'string' ? requestBody.id : wire.requestId;
    body = { id, model_name: info.name, model_version: info.version, outputs: v2Outputs(response.body) };
    const binary = encodeV2Response(decoded?.body as Record<string, unknown> | undefined, body as Record<string, unknown>);
    if (binary !== undefined) return { ok: true, status, contentType: binary.contentType, headers: { ...lowerHeaders(response.headers), ...binary.headers }, body: binary.body };
  }
  const { bytes, json } = toBytes(body);
  const declared = typeof response.contentType === 'string' && response.contentType !== '' ? response.contentType : undefined;
  const contentType = json ? 'application/json' : (declared ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream'));
  return { ok: true, status, contentType, headers: lowerHeaders(response.headers), body: bytes };
};
