import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { HttpContext } from './http-context.js';

/** A route handler: answers through `ctx.res` or throws a coded error. */
export type RouteHandler = (ctx: HttpContext) => Promise<void> | void;

/** One path pattern and its handlers by method. */
export interface Route {
  /** Path pattern with named groups, anchored (`^/predictions/(?<model>[^/]+)$`). */
  pattern: RegExp;
  methods: Partial<Record<string, RouteHandler>>;
}

/** A path pattern from a template: `/models/:model/:version` (each `:name` is one non-empty segment). */
export const routePath = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, '(?<$1>[^/]+)')}/?$`);

/**
 * Finds the handler of a request. Unknown paths throw `ROUTE_NOT_FOUND` (404), known paths with another method throw
 * `METHOD_NOT_ALLOWED` (405, with the allowed methods in `details.allow`, empty for a path that takes none now).
 * Path parameters are URL-decoded.
 */
export const matchRoute = (routes: readonly Route[], ctx: HttpContext): RouteHandler => {
  const method = ctx.req.method ?? 'GET';
  const allowed = new Set<string>();
  let known = false;
  for (const route of routes) {
    const match = route.pattern.exec(ctx.url.pathname);
    if (match === null) continue;
    known = true;
    const handler = route.methods[method] ?? (method === 'HEAD' ? route.methods.GET : undefined);
    if (handler === undefined) {
      for (const name of Object.keys(route.methods)) allowed.add(name);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(match.groups ?? {})) {
      try {
        params[key] = decodeURIComponent(value);
      } catch (error) {
        throw new ModelArchiveError(ErrorCode.ROUTE_NOT_FOUND, 'Requested resource is not found, please refer to API document.', { cause: error });
      }
    }
    ctx.params = params;
    return handler;
  }
  if (known) {
    throw new ModelArchiveError(ErrorCode.METHOD_NOT_ALLOWED, 'Requested method is not allowed, please refer to API document.', {
      details: { allow: [...allowed].join(', ') },
    });
  }
  throw new ModelArchiveError(ErrorCode.ROUTE_NOT_FOUND, 'Requested resource is not found, please refer to API document.');
};
