import { ErrorCode, ModelArchiveError, RUNTIMES } from '@model-archiver/core';

import { queryOf, readBody, sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import type { ModelRegistry } from '../management/model-registry.js';
import { parseInitialWorkers, parseRegisterSettings, parseScaleWorkers, torchServeBoolean, torchServeInt } from '../model-settings.js';
import type { RegisterParams, Registered } from '../management/registration.js';
import { routePath } from './router.js';
import type { Route } from './router.js';

/** What the management routes need from the server. */
export interface ManagementDeps {
  registry: ModelRegistry;
  /** Registers a model from a `url` inside the model store (validation, listing, starting its workers). */
  register(params: RegisterParams): Promise<Registered>;
  /** How long unregistering waits for a model's requests. */
  drainMs: number;
  /**
   * Model API control: without it `POST /models` and `DELETE /models/...` are not routes of this port, so they get 405
   * `METHOD_NOT_ALLOWED`, as in TorchServe.
   */
  modelApi: boolean;
}

const stringParam = (params: Record<string, unknown>, key: string): string | undefined => {
  const raw = params[key];
  return typeof raw === 'string' && raw !== '' ? raw : undefined;
};

/** `POST /models` takes query parameters, or the same snake_case keys in a JSON body (MMS). */
const registerParams = async (ctx: HttpContext): Promise<Record<string, unknown>> => {
  const params: Record<string, unknown> = queryOf(ctx);
  const body = await readBody(ctx, 64 * 1024);
  if (body.length === 0) return params;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request body is not valid JSON.', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request body must be a JSON object.');
  }
  return { ...parsed, ...params };
};

const listModels = (ctx: HttpContext, deps: ManagementDeps): void => {
  const query = queryOf(ctx);
  // TorchServe's ApiUtils.getModelList: a non-integer is ignored, a limit outside 0..100 is 100, a negative token 0.
  const asked = torchServeInt(query.limit) ?? 100;
  const limit = asked > 100 || asked < 0 ? 100 : asked;
  const start = Math.max(0, torchServeInt(query.next_page_token) ?? 0);
  const names = deps.registry.names();
  const page = names.slice(start, start + limit);
  const models = page.map((name) => ({ modelName: name, modelUrl: deps.registry.get(name).options.url }));
  const next = start + limit < names.length ? { nextPageToken: String(start + limit) } : {};
  sendJson(ctx, 200, { ...next, models });
};

const describe = (ctx: HttpContext, deps: ManagementDeps): void => {
  const name = ctx.params.model ?? '';
  const version = ctx.params.version;
  const runners = version === 'all' ? deps.registry.versionsOf(name) : [deps.registry.get(name, version)];
  ctx.model = name;
  sendJson(ctx, 200, runners.map((runner) => runner.describe()));
};

const register = async (ctx: HttpContext, deps: ManagementDeps): Promise<void> => {
  const params = await registerParams(ctx);
  // TorchServe: no url is 400 "Parameter url is required."; an empty one is looked up and not found (404).
  if (params.url === undefined || params.url === null) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'Parameter url is required.', { details: { parameter: 'url' } });
  const url = String(params.url);
  if (url.trim() === '') throw new ModelArchiveError(ErrorCode.ARCHIVE_NOT_FOUND, 'Model not found in model store: ', { details: { url } });
  const runtime = stringParam(params, 'runtime');
  // The vocabulary's runtimes: TorchServe's `Manifest.RuntimeType` (python, python3, LSP), MMS's python2, and node.
  if (runtime !== undefined && !(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `Invalid RuntimeType value: ${runtime}`, { details: { parameter: 'runtime', allowed: RUNTIMES } });
  }
  const handler = stringParam(params, 'handler');
  const settings = parseRegisterSettings({
    batchSize: params.batch_size,
    maxBatchDelay: params.max_batch_delay,
    queueSize: params.job_queue_size,
    responseTimeout: params.response_timeout,
    startupTimeout: params.startup_timeout,
    memoryLimit: params.memory_limit,
  });
  const modelName = stringParam(params, 'model_name');
  // A non-integer initial_workers is ignored (the server's default applies), as TorchServe's getIntParameter does.
  const initialWorkers = torchServeInt(params.initial_workers);
  const result = await deps.register({
    url,
    settings,
    synchronous: torchServeBoolean(params.synchronous, true),
    ...(modelName === undefined ? {} : { modelName }),
    ...(initialWorkers === undefined ? {} : { initialWorkers: parseInitialWorkers(initialWorkers, 0) }),
    ...(handler === undefined ? {} : { handler }),
    ...(runtime === undefined ? {} : { runtime }),
  });
  ctx.model = result.name;
  if (result.pending) {
    // TorchServe's asynchronous registration: the model is listed now, its workers start; the outcome is logged.
    sendJson(ctx, 202, { status: 'Processing worker updates...' });
    return;
  }
  const status =
    result.workers === 0
      ? `Model "${result.name}" Version: ${result.version} registered with 0 initial workers. Use scale workers API to add workers for the model.`
      : `Model "${result.name}" Version: ${result.version} registered with ${result.workers} initial workers`;
  sendJson(ctx, 200, { status });
};

const scaleWorkers = async (ctx: HttpContext, deps: ManagementDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  const query = queryOf(ctx);
  const version = ctx.params.version ?? stringParam(query, 'model_version');
  const runner = deps.registry.get(name, version);
  ctx.model = name;
  const { minWorkers, maxWorkers } = parseScaleWorkers(query.min_worker, query.max_worker);
  // TorchServe scales asynchronously unless synchronous=true.
  const synchronous = torchServeBoolean(query.synchronous, false);
  const scaling = runner.scale(minWorkers, maxWorkers);
  if (!synchronous) {
    scaling.catch(() => undefined);
    sendJson(ctx, 202, { status: 'Processing worker updates...' });
    return;
  }
  await scaling;
  sendJson(ctx, 200, { status: `Workers scaled to ${minWorkers} for model: ${name}${version === undefined ? '' : `, version: ${version}`}` });
};

const setDefault = (ctx: HttpContext, deps: ManagementDeps): void => {
  const name = ctx.params.model ?? '';
  const version = ctx.params.version ?? '';
  deps.registry.setDefault(name, version);
  ctx.model = name;
  sendJson(ctx, 200, { status: `Default version successfully updated for model "${name}" to "${version}"` });
};

const unregister = async (ctx: HttpContext, deps: ManagementDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  deps.registry.get(name, ctx.params.version);
  ctx.model = name;
  await deps.registry.unregister(name, ctx.params.version, deps.drainMs);
  sendJson(ctx, 200, { status: `Model "${name}" unregistered` });
};

/**
 * Routes of the management port, with TorchServe's response shapes (docs/anchors.md §5.2). Registering and
 * unregistering are routes only with model API control on (`deps.modelApi`).
 */
export const managementRoutes = (deps: ManagementDeps): Route[] => {
  const modelMethods = {
    GET: (ctx: HttpContext) => describe(ctx, deps),
    PUT: (ctx: HttpContext) => scaleWorkers(ctx, deps),
    ...(deps.modelApi ? { DELETE: (ctx: HttpContext) => unregister(ctx, deps) } : {}),
  };
  return [
    { pattern: routePath('/models'), methods: { GET: (ctx) => listModels(ctx, deps), ...(deps.modelApi ? { POST: (ctx: HttpContext) => register(ctx, deps) } : {}) } },
    { pattern: routePath('/models/:model'), methods: modelMethods },
    { pattern: routePath('/models/:model/:version'), methods: modelMethods },
    { pattern: routePath('/models/:model/:version/set-default'), methods: { PUT: (ctx) => setDefault(ctx, deps) } },
  ];
};
