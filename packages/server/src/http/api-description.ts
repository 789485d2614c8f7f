import { sendJson } from './http-context.js';
import type { HttpContext } from './http-context.js';
import { routePath } from './router.js';
import type { Route } from './router.js';
import type { ModelRegistry } from '../management/model-registry.js';

/** One query or path parameter of an operation. */
interface Param {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'integer' | 'boolean';
  description: string;
}

/** One operation: its id, summary, parameters and the statuses it answers. */
interface Operation {
  operationId: string;
  summary: string;
  params?: readonly Param[];
  /** Status → description; error statuses get the error body schema. */
  responses: Readonly<Record<string, string>>;
  deprecated?: boolean;
}

type PathItem = Partial<Record<'get' | 'post' | 'put' | 'delete' | 'options', Operation>>;

const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description });
const query = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });

const MODEL = pathParam('model_name', 'Name of the model.');
const VERSION = pathParam('model_version', 'Version of the model.');

const describeApi: Operation = { operationId: 'apiDescription', summary: 'Get the OpenAPI description of this port.', responses: { 200: 'An OpenAPI 3.0.1 document', 500: 'Internal Server Error' } };
const legacyDescribeApi: Operation = { ...describeApi, operationId: 'api-description', deprecated: true };

const predictions = (versioned: boolean): PathItem => ({
  post: {
    operationId: versioned ? 'version_predictions' : 'predictions',
    summary: versioned ? 'Predictions entry point to get inference using specific model version.' : 'Predictions entry point to get inference using default model version.',
    params: versioned ? [MODEL, VERSION] : [MODEL],
    responses: { 200: 'Output of the handler', 400: 'Bad request (malformed body)', 404: 'Model not found', 408: 'Request timed out', 413: 'Body too large', 503: 'No worker, queue full, or the handler failed' },
  },
});

const modelManager = (versioned: boolean): PathItem => {
  const path = versioned ? [MODEL, VERSION] : [MODEL];
  return {
    get: {
      operationId: versioned ? 'version_describeModel' : 'describeModel',
      summary: 'Provides detailed information about the model (`all` as the version: every version).',
      params: path,
      responses: { 200: 'Model description', 404: 'Model not found' },
    },
    put: {
      operationId: versioned ? 'version_setAutoScale' : 'setAutoScale',
      summary: 'Configure the number of workers of a model; asynchronous (202) unless synchronous=true.',
      params: [
        ...path,
        query('min_worker', 'integer', 'Minimum number of worker processes (default 1).'),
        query('max_worker', 'integer', 'Maximum number of worker processes (default min_worker).'),
        query('synchronous', 'boolean', 'Wait until the workers have started (default false).'),
        ...(versioned ? [] : [query('model_version', 'string', 'Version to scale (default: the default version).')]),
      ],
      responses: { 200: 'Workers scaled', 202: 'Processing worker updates...', 400: 'max_worker below min_worker', 404: 'Model not found', 500: 'Workers failed to start, or a negative min_worker' },
    },
    delete: {
      operationId: versioned ? 'version_unregisterModel' : 'unregisterModel',
      summary: 'Unregister a model (every version, or the one given); its queued and running requests finish first.',
      params: path,
      responses: { 200: 'Model unregistered', 404: 'Model not found' },
    },
  };
};

const models: PathItem = {
  get: {
    operationId: 'listModels',
    summary: 'List registered models.',
    params: [query('limit', 'integer', 'Page size, 0 to 100 (default 100).'), query('next_page_token', 'string', 'Where the page starts.')],
    responses: { 200: 'A page of models' },
  },
  post: {
    operationId: 'registerModel',
    summary: 'Register a new model from the model store.',
    params: [
      query('url', 'string', 'Archive name (or path) inside the model store; remote URLs are refused.'),
      query('model_name', 'string', "Name to serve it under (default the manifest's)."),
      query('handler', 'string', "Handler replacing the manifest's."),
      query('runtime', 'string', 'Runtime: python, python2, python3, LSP or node.'),
      query('batch_size', 'integer', 'Inference batch size (default 1).'),
      query('max_batch_delay', 'integer', 'Maximum delay (ms) for batch aggregation (default 100).'),
      query('response_timeout', 'integer', 'Seconds a request may take (default 120).'),
      query('startup_timeout', 'integer', 'Seconds a worker may take to load the model (default 120).'),
      query('initial_workers', 'integer', 'Workers to start (default 0).'),
      query('synchronous', 'boolean', 'Wait until the workers have started (default true).'),
      query('job_queue_size', 'integer', 'Requests waiting per model before 503 (default 100).'),
    ],
    responses: { 200: 'Model registered', 202: 'Processing worker updates...', 400: 'Bad parameter or unusable archive', 404: 'Archive not found', 409: 'Model version already registered', 500: 'Workers failed to start' },
  },
};

const setDefault: PathItem = {
  put: {
    operationId: 'setDefault',
    summary: 'Set the default version of a model.',
    params: [MODEL, VERSION],
    responses: { 200: 'Default version updated', 404: 'Model or version not found' },
  },
};

const metrics: PathItem = { get: { operationId: 'metrics', summary: 'Prometheus metrics (on the metrics port).', params: [query('name[]', 'string', 'Metric families to return.')], responses: { 200: 'Prometheus text' } } };

/** The paths each port describes, as TorchServe's `OpenApiUtils.listApis` lists them for that connector. */
const PATHS: Readonly<Record<'inference' | 'management', Readonly<Record<string, PathItem>>>> = {
  inference: {
    '/': { options: describeApi },
    '/ping': { get: { operationId: 'ping', summary: 'Get the server status.', responses: { 200: 'Healthy', 500: 'Unhealthy' } } },
    '/v2/models/{model_name}/infer': predictions(false),
    '/predictions/{model_name}': predictions(false),
    '/predictions/{model_name}/{model_version}': predictions(true),
    '/api-description': { get: legacyDescribeApi },
    '/metrics': metrics,
  },
  management: {
    '/': { options: describeApi },
    '/models': models,
    '/models/{model_name}': modelManager(false),
    '/models/{model_name}/{model_version}': modelManager(true),
    '/models/{model_name}/{model_version}/set-default': setDefault,
    '/api-description': { get: legacyDescribeApi },
    '/metrics': metrics,
  },
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'type', 'message'],
  properties: {
    code: { type: 'integer', description: 'Error code.' },
    type: { type: 'string', description: 'Error type.' },
    message: { type: 'string', description: 'Error message.' },
    errorCode: { type: 'string', description: 'Stable model-archiver error code.' },
  },
};

const toOpenApiOperation = (operation: Operation): Record<string, unknown> => ({
  operationId: operation.operationId,
  description: operation.summary,
  ...(operation.deprecated === true ? { deprecated: true } : {}),
  ...(operation.params === undefined
    ? {}
    : { parameters: operation.params.map((param) => ({ in: param.in, name: param.name, description: param.description, required: param.in === 'path', schema: { type: param.type } })) }),
  responses: Object.fromEntries(
    Object.entries(operation.responses).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: Number(status) >= 400 ? ERROR_SCHEMA : { type: 'object' } } } },
    ]),
  ),
});

const document = (title: string, version: string, paths: Readonly<Record<string, PathItem>>): Record<string, unknown> => ({
  openapi: '3.0.1',
  info: { title, description: 'model-server: serves model archives over the TorchServe/MMS APIs and the Open Inference Protocol', version },
  paths: Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [path, Object.fromEntries(Object.entries(item).map(([method, operation]) => [method, toOpenApiOperation(operation)]))]),
  ),
});

/** The OpenAPI 3.0.1 document of a port (TorchServe's `OPTIONS /` answer). */
export const apiDescription = (api: 'inference' | 'management', serverVersion: string): Record<string, unknown> =>
  document('TorchServe APIs', serverVersion, PATHS[api]);

/**
 * The describe routes of a port: `OPTIONS /` and the legacy `GET /api-description` (the whole port), and, as
 * TorchServe does, `OPTIONS` on a model's path (its own API: `/predictions/{m}` on the inference port,
 * `/models/{m}` on the management port; 404 for an unknown model).
 */
export const apiDescriptionRoutes = (api: 'inference' | 'management', registry: ModelRegistry, serverVersion: string): Route[] => {
  const whole = (ctx: HttpContext): void => sendJson(ctx, 200, apiDescription(api, serverVersion));
  const modelApi = (ctx: HttpContext): void => {
    const runner = registry.get(ctx.params.model ?? '', ctx.params.version);
    ctx.model = runner.name;
    const paths: Record<string, PathItem> =
      api === 'inference'
        ? { [`/predictions/${runner.name}`]: predictions(false), '/v2/models/{model_name}/infer': predictions(false) }
        : { '/models/{model_name}': modelManager(false), '/models/{model_name}/{model_version}': modelManager(true), '/models/{model_name}/{model_version}/set-default': setDefault };
    sendJson(ctx, 200, document(api === 'inference' ? `RESTful API for: ${runner.name}` : `RESTful Management API for: ${runner.name}`, serverVersion, paths));
  };
  const base = api === 'inference' ? '/predictions' : '/models';
  return [
    { pattern: /^\/$/, methods: { OPTIONS: whole } },
    { pattern: routePath('/api-description'), methods: { GET: whole } },
    { pattern: routePath(`${base}/:model`), methods: { OPTIONS: modelApi } },
    { pattern: routePath(`${base}/:model/:version`), methods: { OPTIONS: modelApi } },
  ];
};
