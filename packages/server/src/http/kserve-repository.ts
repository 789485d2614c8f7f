/**
 * The model repository extension of the Open Inference Protocol (Triton's docs/protocol/extension_model_repository.md,
 * used by KServe ModelMesh and Triton clients): `POST /v2/repository/index`, `POST /v2/repository/models/{m}/load` and
 * `.../unload`. The repository is `--model-store`: each archive (core's ARCHIVE_SUFFIXES: `.mar`, `.tar.gz`, `.tgz`,
 * `.zip`, `.model`) or unpacked folder in
 * it is a model named after the file without its suffix. Loading registers it through the server's registration step
 * (the same checks and defaults as `POST /models`, but with workers started and waited for: a loaded model serves);
 * unloading unregisters every version.
 */
import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import type { ModelRegistry } from '../management/model-registry.js';
import type { RegisterParams } from '../management/registration.js';
import { listModelStore } from '../model-store.js';
import { readBody, sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import { routePath } from './router.js';
import type { Route } from './router.js';

/** What the repository routes need from the server. */
export interface RepositoryDeps {
  registry: ModelRegistry;
  /** The model store (`--model-store`); without one the repository is empty. */
  modelStore: string | undefined;
  /** The registration step of `POST /models`. */
  register(params: RegisterParams): Promise<{ name: string; version: string; workers: number }>;
  /** How long unloading waits for a model's requests. */
  drainMs: number;
  /** Workers a loaded model starts with (at least one: "loaded" means ready to serve, unlike `POST /models`' default). */
  loadWorkers: number;
  /** Model API control: without it `load` and `unload` allow no method (405 `METHOD_NOT_ALLOWED`), like `POST /models`. */
  modelApi: boolean;
}

const BODY_LIMIT = 64 * 1024;

/** The repository's models (model-store.ts' rule): name -> the entry of the model store holding it (the first, sorted). */
const storeEntries = async (modelStore: string | undefined): Promise<Map<string, string>> => {
  const entries = new Map<string, string>();
  if (modelStore === undefined) return entries;
  for (const { name, entry } of await listModelStore(modelStore)) if (!entries.has(name)) entries.set(name, entry);
  return entries;
};

/** The optional JSON body of a repository request (an object, or nothing). */
const readObject = async (ctx: HttpContext): Promise<Record<string, unknown>> => {
  const body = await readBody(ctx, BODY_LIMIT);
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request body is not valid JSON.', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ModelArchiveError(ErrorCode.INPUT_INVALID, 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
};

/** Success of load and unload: 200 with an empty JSON object (Triton sends no body; clients only read the status). */
const sendEmpty = (ctx: HttpContext): void => sendJson(ctx, 200, {});

/** `POST /v2/repository/index`: every model of the store and every registered one, with its state. */
const index = async (ctx: HttpContext, deps: RepositoryDeps): Promise<void> => {
  const { ready } = await readObject(ctx);
  if (ready !== undefined && typeof ready !== 'boolean') throw new ModelArchiveError(ErrorCode.INPUT_INVALID, '"ready" must be a boolean.');
  const rows: { name: string; version?: string; state: string; reason: string }[] = [];
  const loaded = new Set<string>();
  for (const name of deps.registry.names()) {
    loaded.add(name);
    for (const runner of deps.registry.versionsOf(name)) {
      rows.push({ name, version: runner.version, state: runner.ready ? 'READY' : 'UNAVAILABLE', reason: runner.ready ? '' : 'no worker is ready' });
    }
  }
  for (const name of (await storeEntries(deps.modelStore)).keys()) {
    if (!loaded.has(name)) rows.push({ name, state: 'UNAVAILABLE', reason: 'unloaded' });
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));
  sendJson(ctx, 200, ready === true ? rows.filter((row) => row.state === 'READY') : rows);
};

/** `POST /v2/repository/models/{m}/load`: registers the store's model `m`; a model already loaded stays as it is. */
const load = async (ctx: HttpContext, deps: RepositoryDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  ctx.model = name;
  const { parameters } = await readObject(ctx);
  if (typeof parameters === 'object' && parameters !== null && Object.keys(parameters).length > 0) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `Load parameters are not supported: ${Object.keys(parameters).join(', ')}.`, { details: { parameters: Object.keys(parameters) } });
  }
  if (deps.registry.has(name)) {
    sendEmpty(ctx);
    return;
  }
  const entry = (await storeEntries(deps.modelStore)).get(name);
  if (entry === undefined) throw new ModelArchiveError(ErrorCode.ARCHIVE_NOT_FOUND, `Model ${name} is not in the model repository.`, { details: { model: name } });
  await deps.register({ url: entry, modelName: name, initialWorkers: Math.max(1, deps.loadWorkers), synchronous: true, settings: {} });
  sendEmpty(ctx);
};

/** `POST /v2/repository/models/{m}/unload`: unregisters every version of `m` once its requests finished. */
const unload = async (ctx: HttpContext, deps: RepositoryDeps): Promise<void> => {
  const name = ctx.params.model ?? '';
  ctx.model = name;
  await readObject(ctx);
  await deps.registry.unregister(name, undefined, deps.drainMs);
  sendEmpty(ctx);
};

/**
 * Routes of the model repository extension (on the inference port, as Triton serves them). `load` and `unload` register
 * and unregister models, so they take requests only with model API control on (`deps.modelApi`).
 */
export const repositoryRoutes = (deps: RepositoryDeps): Route[] => [
  { pattern: routePath('/v2/repository/index'), methods: { POST: (ctx) => index(ctx, deps) } },
  { pattern: routePath('/v2/repository/models/:model/load'), methods: deps.modelApi ? { POST: (ctx) => load(ctx, deps) } : {} },
  { pattern: routePath('/v2/repository/models/:model/unload'), methods: deps.modelApi ? { POST: (ctx) => unload(ctx, deps) } : {} },
];
