import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import { queryOf, sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import { routePath } from './router.js';
import type { Route } from './router.js';
import type { TokenAuthority } from './token-auth.js';

/** Checks a request before routing; throws `TOKEN_INVALID`. */
export type RequestGuard = (ctx: HttpContext) => void;

/**
 * Health checks stay open: Kubernetes probes and load balancers cannot send a secret, and the answer only says whether
 * the server is up (TorchServe guards `/ping` too; docs/server.md lists this difference).
 */
const OPEN_INFERENCE_PATHS = new Set(['/ping', '/v2/health/live', '/v2/health/ready']);

/** The path of TorchServe's token API on the management port. */
const TOKEN_PATH = routePath('/token');

const authorizationOf = (ctx: HttpContext): string | undefined => ctx.req.headers.authorization;

/** The Open Inference Protocol model repository extension: it loads and unloads models, as the management API does. */
const REPOSITORY_PREFIX = '/v2/repository/';

/**
 * The inference port: every route but the health checks needs the inference key; the model repository extension
 * (`/v2/repository/...`) the management key.
 */
export const inferenceGuard =
  (authority: TokenAuthority): RequestGuard =>
  (ctx) => {
    const path = ctx.url.pathname.length > 1 && ctx.url.pathname.endsWith('/') ? ctx.url.pathname.slice(0, -1) : ctx.url.pathname;
    if (path.startsWith(REPOSITORY_PREFIX)) authority.check('management', authorizationOf(ctx));
    else if (!OPEN_INFERENCE_PATHS.has(path)) authority.check('inference', authorizationOf(ctx));
  };

/** The management port: `/token` needs the API key, everything else the management key. */
export const managementGuard =
  (authority: TokenAuthority): RequestGuard =>
  (ctx) =>
    authority.check(TOKEN_PATH.test(ctx.url.pathname) ? 'api' : 'management', authorizationOf(ctx));

/**
 * TorchServe's token API: `GET /token?type=management|inference` (with the API key) replaces that key and its expiry in
 * the key file. The answer names the type and the new expiry, never the key: read it from the key file.
 */
export const tokenRoute = (authority: TokenAuthority): Route => {
  const renew = async (ctx: HttpContext): Promise<void> => {
    const type = queryOf(ctx).type;
    if (type !== 'management' && type !== 'inference') {
      throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'Parameter type must be "management" or "inference".', { details: { parameter: 'type' } });
    }
    const { expiresAt } = await authority.renew(type);
    sendJson(ctx, 200, { type, 'expiration time': expiresAt.toISOString(), keyFile: authority.keyFile });
  };
  return { pattern: TOKEN_PATH, methods: { GET: renew, POST: renew } };
};
