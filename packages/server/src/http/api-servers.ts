import { STATUS_CODES, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';
import type { RequestGuard } from './authorization.js';
import { createContext, recordRequest, sendError } from './http-context.js';
import type { ApiName } from './http-context.js';
import { httpErrorBody } from './http-errors.js';
import { matchRoute } from './router.js';
import type { Route } from './router.js';

/**
 * Counts the requests in flight on all ports, so a shutdown can wait for them; once closing, answers carry
 * `connection: close`.
 */
export class RequestTracker {
  private inFlight = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  get count(): number {
    return this.inFlight;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  started(): void {
    this.inFlight += 1;
  }

  finished(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const waiter of this.idleWaiters.splice(0)) waiter();
  }

  /** Marks the server as closing, then waits until no request is in flight or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.idleWaiters = [];
  }
}

/** Limits on the request head, applied on every port. */
export interface RequestHeadLimits {
  /** Longest request target (path and query string) in bytes; longer ones get 414 `URI_TOO_LONG`. */
  maxUrlLength: number;
  /** Largest request head (request line and headers) in bytes; larger ones get 431 `HEADERS_TOO_LARGE` (or 414). */
  maxHeaderSize: number;
}

/** What every API port shares. */
export interface ApiServerDeps {
  logger: Logger;
  metrics: ServerMetrics;
  tracker: RequestTracker;
  limits: RequestHeadLimits;
}

const REQUEST_LINE_START = /^[A-Z]+ \S/;

/**
 * The coded error for a request head Node's parser refused as too large (`HPE_HEADER_OVERFLOW`, the same for a long
 * URL and for large headers). `rawPacket` is the chunk being parsed: when it starts with the request line and that line
 * does not end within it (or ends past the URL limit), the URL is at fault (414); otherwise the head as a whole is
 * (431). `undefined` for other parse errors.
 */
const headErrorOf = (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, limits: RequestHeadLimits): ModelArchiveError | undefined => {
  if (error.code !== 'HPE_HEADER_OVERFLOW') return undefined;
  const raw = error.rawPacket;
  const lineEnd = raw === undefined || !REQUEST_LINE_START.test(raw.subarray(0, 24).toString('latin1')) ? undefined : raw.indexOf('\r\n');
  if (lineEnd !== undefined && (lineEnd < 0 || lineEnd > limits.maxUrlLength)) {
    return new ModelArchiveError(ErrorCode.URI_TOO_LONG, `The request target is longer than the limit of ${limits.maxUrlLength} bytes.`, {
      details: { limit: limits.maxUrlLength },
    });
  }
  return new ModelArchiveError(ErrorCode.HEADERS_TOO_LARGE, `The request head is larger than the limit of ${limits.maxHeaderSize} bytes.`, {
    details: { limit: limits.maxHeaderSize },
  });
};

/**
 * Answers a request Node's parser refused (it never reaches the routes) with a JSON error in the TorchServe shape,
 * instead of Node's bare status line or a reset connection, then closes the connection. Logged and counted like the
 * requests that are routed.
 */
const answerClientError = (api: ApiName, error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket, deps: ApiServerDeps): void => {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const coded =
    headErrorOf(error, deps.limits) ??
    (error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ModelArchiveError(ErrorCode.REQUEST_TIMEOUT, 'The request head did not arrive in time.', { cause: error })
      : new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request could not be parsed as HTTP/1.1.', { cause: error }));
  const answer = httpErrorBody(coded);
  const body = Buffer.from(`${JSON.stringify(answer, null, 2)}\n`, 'utf8');
  deps.logger.warn('request refused before routing', { api, errorCode: coded.code, cause: error.code });
  deps.metrics.requests.inc({ api, model: '', status: String(answer.code) });
  const head = `HTTP/1.1 ${answer.code} ${STATUS_CODES[answer.code] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
};

/**
 * An HTTP server for one API: checks the request head limits and the `guard` (token authorization), routes each
 * request, answers errors in the TorchServe shape, records metrics.
 */
export const createApiServer = (api: ApiName, routes: readonly Route[], deps: ApiServerDeps, guard?: RequestGuard): Server => {
  const server = createServer({ maxHeaderSize: deps.limits.maxHeaderSize }, (req, res) => {
    const { logger, metrics, tracker } = deps;
    const ctx = createContext(api, req, res);
    tracker.started();
    let errorCode: string | undefined;
    res.on('close', () => {
      tracker.finished();
      recordRequest(ctx, logger, metrics, errorCode);
    });
    if (tracker.isClosing) res.setHeader('connection', 'close');
    Promise.resolve()
      .then(() => {
        if ((req.url ?? '').length > deps.limits.maxUrlLength) {
          throw new ModelArchiveError(ErrorCode.URI_TOO_LONG, `The request target is longer than the limit of ${deps.limits.maxUrlLength} bytes.`, {
            details: { limit: deps.limits.maxUrlLength },
          });
        }
        guard?.(ctx);
        return matchRoute(routes, ctx)(ctx);
      })
      .catch((error: unknown) => {
        errorCode = sendError(ctx, error, logger);
      });
  });
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => answerClientError(api, error, socket, deps));
  return server;
};

/** Listens on `host:port` (0 picks a free port); resolves to the port. Refuses with `INVALID_OPTION` when it cannot. */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ModelArchiveError(ErrorCode.INVALID_OPTION, `Cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { cause: error })));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

/** Stops accepting connections; resolves once the server is closed. */
export const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
