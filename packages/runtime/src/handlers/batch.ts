/**
 * The batch contract. Requests in: bodies decoded by content type as the reference loaders do (`application/json`
 * parsed, `text/*` as a string, anything else raw bytes). Results out: exactly one per request (else
 * `BATCH_SIZE_MISMATCH` with both counts); each converted as the reference does: bytes raw
 * (`application/octet-stream` unless set), strings as UTF-8 text, anything else JSON.
 */
import { randomUUID } from 'node:crypto';

import { ModelArchiveError } from '@model-archiver/core/read';

import type { HandlerRequest, ResponseSettings } from '../context.js';
import type { InferenceRequest, InferenceResponse } from '../types.js';

const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

const lowerKeys = (headers: Record<string, string> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
};

const decodeBody = (body: unknown, type: string, index: number): unknown => {
  const isBytes = Buffer.isBuffer(body) || body instanceof Uint8Array;
  const text = (): string => (isBytes ? Buffer.from(body as Uint8Array).toString('utf8') : (body as string));
  if (type === 'application/json' || type.endsWith('+json')) {
    if (!isBytes && typeof body !== 'string') return body;
    try {
      return JSON.parse(text());
    } catch (cause) {
      throw new ModelArchiveError('INPUT_INVALID', `Request ${index}: the application/json body is not valid JSON`, {
        cause,
        details: { request: index },
      });
    }
  }
  if (type.startsWith('text/') && isBytes) return text();
  if (body instanceof Uint8Array && !Buffer.isBuffer(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return body;
};

/** Turns the caller's requests into what the handler sees. */
export function toHandlerRequests(batch: readonly InferenceRequest[]): HandlerRequest[] {
  return batch.map((request, index) => {
    const headers = lowerKeys(request.headers);
    const contentType = mediaType(request.contentType ?? headers['content-type']);
    return {
      body: decodeBody(request.body, contentType, index),
      rawBody: request.body,
      contentType,
      headers,
      parameters: { ...(request.parameters ?? {}) },
      requestId: request.requestId ?? randomUUID(),
    };
  });
}

const JSON_TYPE = 'application/json';

/** Converts one handler result into a response, honouring what the handler set through the context. */
export function toResponse(result: unknown, settings: ResponseSettings): InferenceResponse {
  const headers = { ...settings.headers };
  let body: unknown = result;
  let contentType: string;
  if (Buffer.isBuffer(result) || result instanceof Uint8Array || result instanceof ArrayBuffer) {
    body = Buffer.isBuffer(result) ? result : Buffer.from(result instanceof ArrayBuffer ? new Uint8Array(result) : result);
    contentType = settings.contentType ?? 'application/octet-stream';
  } else if (typeof result === 'string') {
    contentType = settings.contentType ?? 'text/plain; charset=utf-8';
  } else {
    if (typeof result === 'function' || typeof result === 'symbol' || typeof result === 'bigint') {
      throw new ModelArchiveError('HANDLER_FAILED', `The handler returned a ${typeof result}, which cannot be sent as JSON`, {
        details: { type: typeof result },
      });
    }
    body = result === undefined ? null : result;
    contentType = settings.contentType ?? JSON_TYPE;
  }
  return { body, contentType, status: settings.status, headers };
}

/** Checks the handler's output is a list with one result per request. */
export function checkResults(results: unknown, expected: number): unknown[] {
  if (!Array.isArray(results)) {
    throw new ModelArchiveError(
      'BATCH_SIZE_MISMATCH',
      `The handler returned ${results === null ? 'null' : typeof results} instead of a list of ${expected} result(s)`,
      { details: { expected, actual: null } },
    );
  }
  if (results.length !== expected) {
    throw new ModelArchiveError(
      'BATCH_SIZE_MISMATCH',
      `The handler returned ${results.length} result(s) for a batch of ${expected} request(s)`,
      { details: { expected, actual: results.length } },
    );
  }
  return results;
}
