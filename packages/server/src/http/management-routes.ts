import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import { queryOf, readBody, sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import type { ModelRegistry } from '../management/model-registry.js';
import type { RegisterParams } from '../management/registration.js';
import { parseModelSetting, parseModelSettings } from '../model-settings.js';
import { routePath } from './router.js';
import type { Route } from './router.js';

/** What the management routes need from the server. */
export interface ManagementDeps {
  registry: ModelRegistry;
  /** Registers a model from a `url` inside the model store (validation, loading, naming). */
  register(params: RegisterParams): Promise<{ name: string; version: string; workers: number }>;
  /** How long unregistering waits for a model's requests. */
  drainMs: number;
}


const intParam = (params: Record<string, unknown>, key: string, min: number, max: number): number | undefined => {
  const raw = params[key];
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `Parameter ${key} must be an integer from ${min} to ${max}.`, { details: { parameter: key } });
  }
  return value;
};

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
  const limit = Math.min(100, Math.max(0, intParam(query, 'limit', -1_000_000, 1_000_000) ?? 100));
  const start = Math.max(0, intParam(query, 'next_page_token', -1_000_000, 1_000_000) ?? 0);
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
  const url = stringParam(params, 'url');
  if (url === undefined) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'Parameter url is required.');
  const settings = parseModelSettings(
    {
      batchSize: params.batch_size,
      maxBatchDelay: params.max_batch_delay,
      queueSize: params.job_queue_size,
      responseTimeout: params.response_timeout,
      memoryLimit: params.memory_limit,
    },
    'param',
  );
  const modelName = stringParam(params, 'model_name');
  const initialWorkers = parseModelSetting('minWorkers', params.initial_workers, 'initial_workers');
  const registering = deps.register({
    url,
    settings,
    ...(modelName === undefined ? {} : { modelName }),
    ...(initialWorkers === undefined ? {} : { initialWorkers }),
  });
  if (String(params.synchronous) === 'false') {
    // TorchServe's asynchronous registration: answer now; the outcome is logged.
    registering.catch(() => undefined);
    sendJson(ctx, 202, { status: 'Processing worker updates...' });
    return;
  }
  const result = await registering;
  ctx.model = result.name;
  const status =
    result.workers === 0
      ? `Model "${result.name}" Version: ${result.version} registered with 0 initial workers. Use scale workers API to add workers for the model.`
      : `Model "${result.name}" Version: ${result.version} registered with ${result.workers} initial workers`;
  sendJson(ctx, 200, { status });
};

const scaleWorkers = async (ctx: HttpContext, deps: ManagementDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  const runner = deps.registry.get(name, ctx.params.version);
  ctx.model = name;
  const query = queryOf(ctx);
  const asked = parseModelSettings({ minWorkers: query.min_worker, maxWorkers: query.max_worker }, 'param');
  const minWorkers = asked.minWorkers ?? runner.settings.minWorkers;
  const maxWorkers = asked.maxWorkers ?? Math.max(minWorkers, runner.settings.maxWorkers);
  if (maxWorkers < minWorkers) throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'max_worker cannot be less than min_worker.', { details: { parameter: 'max_worker' } });
  const synchronous = query.synchronous !== 'false';
  const scaling = runner.scale(minWorkers, maxWorkers);
  const version = ctx.params.version === undefined ? '' : `, version: ${ctx.params.version}`;
  if (!synchronous) {
    scaling.catch(() => undefined);
    sendJson(ctx, 202, { status: 'Processing worker updates...' });
    return;
  }
  await scaling;
  sendJson(ctx, 200, { status: `Workers scaled to ${minWorkers} for model: ${name}${version}` });
};

const unregister = async (ctx: HttpContext, deps: ManagementDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  deps.registry.get(name, ctx.params.version);
  ctx.model = name;
  await deps.registry.unregister(name, ctx.params.version, deps.drainMs);
  const version = ctx.params.version === undefined ? '' : ` version: ${ctx.params.version}`;
  sendJson(ctx, 200, { status: `Model "${name}"${version} unregistered` });
};

/** Routes of the management port, with TorchServe's response shapes (docs/anchors.md §5.2). */
export const managementRoutes = (deps: ManagementDeps): Route[] => [
  { pattern: routePath('/models'), methods: { GET: (ctx) => listModels(ctx, deps), POST: (ctx) => register(ctx, deps) } },
  {
    pattern: routePath('/models/:model'),
    methods: { GET: (ctx) => describe(ctx, deps), PUT: (ctx) => scaleWorkers(ctx, deps), DELETE: (ctx) => unregister(ctx, deps) },
  },
  {
    pattern: routePath('/models/:model/:version'),
    methods: { GET: (ctx) => describe(ctx, deps), PUT: (ctx) => scaleWorkers(ctx, deps), DELETE: (ctx) => unregister(ctx, deps) },
  },
];
