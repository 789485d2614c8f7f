import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import { checkAnswerHead } from './answer-head.js';
import { httpErrorBody, toModelArchiveError } from './http-errors.js';
import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';

/** Which listener a request came in on. */
export type ApiName = 'inference' | 'management' | 'metrics';

/** One HTTP exchange as the route handlers see it. */
export interface HttpContext {
  readonly api: ApiName;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** From a valid `X-Request-Id` header, else a new UUID; echoed in the response and every log line. */
  readonly requestId: string;
  readonly url: URL;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
  /** Model the request is about (metrics label), once known. */
  model: string;
  readonly startedAt: bigint;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request target as a URL; `//x` stays a path, and anything unparsable becomes a path no route matches. */
const parseTarget = (target: string | undefined): URL => {
  const raw = target ?? '/';
  try {
    return new URL(`http://localhost${raw.startsWith('/') ? raw : `/${raw}`}`);
  } catch {
    return new URL('http://localhost/%00');
  }
};

/** Creates the context of a request. */
export const createContext = (api: ApiName, req: IncomingMessage, res: ServerResponse): HttpContext => {
  const header = req.headers['x-request-id'];
  const requestId = typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
  res.setHeader('x-request-id', requestId);
  return {
    api,
    req,
    res,
    requestId,
    url: parseTarget(req.url),
    params: {},
    model: '',
    startedAt: process.hrtime.bigint(),
  };
};

/**
 * Reads the whole body, refusing more than `limit` bytes with `PAYLOAD_TOO_LARGE` (checked against `Content-Length`
 * before reading, then while reading).
 *
 * `alignAt`: an offset in the body where 8-byte aligned data starts (the binary tensor data after an Open Inference
 * Protocol JSON header). A body that came in several chunks is gathered (one copy, as a concatenation would make) into
 * a buffer placed so that this offset is aligned, which spares the tensor decoder a second, aligning copy.
 */
export const readBody = (ctx: HttpContext, limit: number, alignAt = 0): Promise<Buffer> => {
  const tooLarge = (): ModelArchiveError =>
    new ModelArchiveError(ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than the limit of ${limit} bytes.`, { details: { limit } });
  const declared = Number(ctx.req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    // After a 413 the rest of the body is read and dropped (Node drains it), so the client can read the answer.
    ctx.req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    ctx.req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : gather(chunks, size, alignAt));
    });
    ctx.req.on('error', (error) => {
      if (!failed) reject(new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request body could not be read.', { cause: error }));
      failed = true;
    });
  });
};

/** Concatenates `chunks` into a buffer of its own (8-byte aligned start) placed so that offset `alignAt` is aligned. */
const gather = (chunks: readonly Buffer[], size: number, alignAt: number): Buffer => {
  const pad = alignAt > 0 && alignAt < size ? (8 - (alignAt % 8)) % 8 : 0;
  const out = Buffer.allocUnsafeSlow(size + pad);
  let offset = pad;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return pad === 0 ? out : out.subarray(pad);
};

/** Parses the query string into a plain object (the last value of a repeated key wins). */
export const queryOf = (ctx: HttpContext): Record<string, string> => Object.fromEntries(ctx.url.searchParams.entries());

/**
 * Sends bytes with a status, content type and extra headers. Throws `HANDLER_RESPONSE_INVALID`, before anything is
 * written, when the status or a header is not valid HTTP (a handler's answer passes through here).
 */
export const sendBytes = (ctx: HttpContext, status: number, contentType: string, body: Uint8Array, headers: Record<string, string> = {}): void => {
  if (ctx.res.headersSent) return;
  checkAnswerHead(status, contentType, headers);
  for (const [key, value] of Object.entries(headers)) {
    if (!['content-length', 'transfer-encoding', 'connection', 'x-request-id'].includes(key)) ctx.res.setHeader(key, value);
  }
  ctx.res.writeHead(status, { 'content-type': contentType, 'content-length': body.byteLength });
  ctx.res.end(body);
};

/** Sends a JSON value pretty-printed with 2 spaces (as the reference servers' Gson does). */
export const sendJson = (ctx: HttpContext, status: number, value: unknown): void => {
  sendBytes(ctx, status, 'application/json', Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'));
};

/** Sends the error body `{code, type, message, errorCode}`, logs the cause, and returns the errorCode (for metrics). */
export const sendError = (ctx: HttpContext, error: unknown, logger: Logger): string => {
  const body = httpErrorBody(error);
  if (body.errorCode === ErrorCode.INTERNAL) {
    logger.error('internal error', { requestId: ctx.requestId, error: toModelArchiveError(error).cause ?? error });
  }
  // RFC 6750: a 401 names the scheme the client should use.
  if (body.errorCode === ErrorCode.TOKEN_INVALID) ctx.res.setHeader('www-authenticate', 'Bearer');
  if (body.errorCode === ErrorCode.METHOD_NOT_ALLOWED) {
    const allow = (error as ModelArchiveError).details.allow;
    if (typeof allow === 'string') ctx.res.setHeader('allow', allow);
  }
  // Open Inference Protocol clients read {"error": "..."}; the TorchServe fields stay for everyone else.
  sendJson(ctx, body.code, ctx.url.pathname.startsWith('/v2/') || ctx.url.pathname === '/v2' ? { ...body, error: body.message } : body);
  return body.errorCode;
};

/** Logs the finished exchange and records its metrics. */
export const recordRequest = (ctx: HttpContext, logger: Logger, metrics: ServerMetrics, errorCode?: string): void => {
  const seconds = Number(process.hrtime.bigint() - ctx.startedAt) / 1e9;
  const status = ctx.res.statusCode;
  metrics.requests.inc({ api: ctx.api, model: ctx.model, status: String(status) });
  metrics.latency.observe({ api: ctx.api, model: ctx.model }, seconds);
  logger.info('request', {
    requestId: ctx.requestId,
    api: ctx.api,
    method: ctx.req.method,
    path: ctx.url.pathname,
    status,
    durationMs: Math.round(seconds * 1e6) / 1e3,
    model: ctx.model === '' ? undefined : ctx.model,
    errorCode,
  });
};
