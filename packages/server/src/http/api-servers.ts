import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import type { Logger } from '../logger.js';
import type { ServerMetrics } from '../metrics.js';
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

/** What every API port shares. */
export interface ApiServerDeps {
  logger: Logger;
  metrics: ServerMetrics;
  tracker: RequestTracker;
}

/** An HTTP server for one API: routes each request, answers errors in the TorchServe shape, records metrics. */
export const createApiServer = (api: ApiName, routes: readonly Route[], deps: ApiServerDeps): Server =>
  createServer((req, res) => {
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
      .then(() => matchRoute(routes, ctx)(ctx))
      .catch((error: unknown) => {
        errorCode = httpErrorBody(error).errorCode;
        sendError(ctx, error, logger);
      });
  });

/** Listens on `host:port` (0 picks a free port); resolves to the port. Refuses with `INVALID_OPTION` when it cannot. */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new ModelArchiveError(ErrorCode.INVALID_OPTION, `Cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { cause: error })));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

/** Stops accepting connections; resolves once the server is closed. */
export const closeServer = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
