import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import { readBody, queryOf, sendBytes, sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import { repositoryRoutes } from './kserve-repository.js';
import type { RepositoryDeps } from './kserve-repository.js';
import { isFormBody, parseForm } from './multipart.js';
import type { ModelRegistry } from '../management/model-registry.js';
import { routePath } from './router.js';
import type { Route } from './router.js';
import type { WireModelInfo, WireRequestKind } from '../workers/worker-protocol.js';

/** What the inference routes need from the server. */
export interface InferenceDeps {
  registry: ModelRegistry;
  maxRequestSize: number;
  serverVersion: string;
  /** The model repository extension (`/v2/repository/...`). */
  repository: Omit<RepositoryDeps, 'registry'>;
}

/** Open Inference Protocol extensions this server implements, as `GET /v2` lists them (Triton's names). */
export const V2_EXTENSIONS = ['binary_tensor_data', 'model_repository'] as const;

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * A v2 body sent with `Content-Encoding: gzip` or `deflate` (tritonclient's `request_compression_algorithm`), inflated
 * up to the request size limit.
 */
const decodeContent = async (ctx: HttpContext, body: Buffer, limit: number): Promise<Buffer> => {
  const encoding = (ctx.req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  const inflateBody = encoding === 'gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : undefined;
  if (inflateBody === undefined) throw new ModelArchiveError(ErrorCode.INPUT_INVALID, `Unsupported Content-Encoding: ${encoding}.`, { details: { encoding } });
  try {
    return await inflateBody(body, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ModelArchiveError(ErrorCode.PAYLOAD_TOO_LARGE, `The decoded request body is larger than the limit of ${limit} bytes.`, { details: { limit } });
    }
    throw new ModelArchiveError(ErrorCode.INPUT_INVALID, `The ${encoding} request body could not be decoded.`, { cause: error });
  }
};

const stringHeaders = (ctx: HttpContext): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(ctx.req.headers)) if (typeof value === 'string') out[key] = value;
  return out;
};

/** The JSON header length of an uncompressed Open Inference Protocol binary request (where its tensor data starts), else 0. */
const binaryHeaderLength = (ctx: HttpContext): number => {
  const { headers } = ctx.req;
  const length = Number(headers['inference-header-content-length']);
  return headers['content-encoding'] === undefined && Number.isSafeInteger(length) && length > 0 ? length : 0;
};

/** Runs one request through a model's queue and sends the handler's answer. */
const predict = async (ctx: HttpContext, deps: InferenceDeps, kind: WireRequestKind): Promise<void> => {
  const runner = deps.registry.get(ctx.params.model ?? '', ctx.params.version);
  ctx.model = runner.name;
  const raw = await readBody(ctx, deps.maxRequestSize, kind === 'v2-infer' ? binaryHeaderLength(ctx) : 0);
  const body = kind === 'v2-infer' ? await decodeContent(ctx, raw, deps.maxRequestSize) : raw;
  const contentType = ctx.req.headers['content-type'] ?? (kind === 'v2-infer' ? 'application/json' : 'application/octet-stream');
  const parts = kind === 'predict' && isFormBody(contentType) ? await parseForm(body, ctx.req.headers) : undefined;
  const answer = await runner.submit({
    requestId: ctx.requestId,
    kind,
    body: parts === undefined ? body : new Uint8Array(0),
    contentType,
    headers: stringHeaders(ctx),
    query: queryOf(ctx),
    ...(parts === undefined ? {} : { parts }),
  });
  sendBytes(ctx, answer.status, answer.contentType, answer.body, answer.headers);
};

/** Open Inference Protocol model metadata from the archive's ONNX inputs and outputs. */
const metadata = (ctx: HttpContext, deps: InferenceDeps): void => {
  const runner = deps.registry.get(ctx.params.model ?? '', ctx.params.version);
  ctx.model = runner.name;
  const versions = deps.registry.versionsOf(runner.name).map((item) => item.version);
  const info = runner.info;
  // The protocol writes variable dimensions as -1; ONNX graphs name them ("batch", "p2o.DynamicDimension.0").
  const tensors = (list: WireModelInfo['inputs'] | undefined): WireModelInfo['inputs'] =>
    (list ?? []).map((tensor) => ({ ...tensor, shape: tensor.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : -1)) }));
  sendJson(ctx, 200, { name: runner.name, versions, platform: 'onnxruntime_onnx', inputs: tensors(info?.inputs), outputs: tensors(info?.outputs) });
};

const modelReady = (ctx: HttpContext, deps: InferenceDeps): void => {
  const runner = deps.registry.get(ctx.params.model ?? '', ctx.params.version);
  ctx.model = runner.name;
  sendJson(ctx, runner.ready ? 200 : 503, { name: runner.name, ready: runner.ready });
};

/** Routes of the inference port: TorchServe's `/ping` and `/predictions`, and the Open Inference Protocol (KServe v2). */
export const inferenceRoutes = (deps: InferenceDeps): Route[] => [
  {
    pattern: routePath('/ping'),
    methods: {
      GET: (ctx) => {
        const healthy = deps.registry.all().every((runner) => runner.healthy);
        sendJson(ctx, healthy ? 200 : 500, { status: healthy ? 'Healthy' : 'Unhealthy' });
      },
    },
  },
  { pattern: routePath('/predictions/:model'), methods: { POST: (ctx) => predict(ctx, deps, 'predict'), PUT: (ctx) => predict(ctx, deps, 'predict') } },
  { pattern: routePath('/predictions/:model/:version'), methods: { POST: (ctx) => predict(ctx, deps, 'predict'), PUT: (ctx) => predict(ctx, deps, 'predict') } },
  { pattern: routePath('/v2/health/live'), methods: { GET: (ctx) => sendJson(ctx, 200, { live: true }) } },
  {
    pattern: routePath('/v2/health/ready'),
    methods: {
      GET: (ctx) => {
        // Every model meant to serve is ready; a model kept at no worker (`min_worker` 0) is not ready itself (its own
        // `/ready` and the repository index say so) but does not hold the server back.
        const ready = deps.registry.all().every((runner) => runner.ready || runner.settings.minWorkers === 0);
        sendJson(ctx, ready ? 200 : 503, { ready });
      },
    },
  },
  {
    pattern: routePath('/v2'),
    methods: { GET: (ctx) => sendJson(ctx, 200, { name: 'model-server', version: deps.serverVersion, extensions: [...V2_EXTENSIONS] }) },
  },
  { pattern: routePath('/v2/models/:model'), methods: { GET: (ctx) => metadata(ctx, deps) } },
  { pattern: routePath('/v2/models/:model/versions/:version'), methods: { GET: (ctx) => metadata(ctx, deps) } },
  { pattern: routePath('/v2/models/:model/ready'), methods: { GET: (ctx) => modelReady(ctx, deps) } },
  { pattern: routePath('/v2/models/:model/versions/:version/ready'), methods: { GET: (ctx) => modelReady(ctx, deps) } },
  { pattern: routePath('/v2/models/:model/infer'), methods: { POST: (ctx) => predict(ctx, deps, 'v2-infer') } },
  { pattern: routePath('/v2/models/:model/versions/:version/infer'), methods: { POST: (ctx) => predict(ctx, deps, 'v2-infer') } },
  ...repositoryRoutes({ registry: deps.registry, ...deps.repository }),
];
