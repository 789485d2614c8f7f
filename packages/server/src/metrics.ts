import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { TorchServeMetrics } from './torchserve-metrics.js';
import type { StatusCount } from './torchserve-metrics.js';

/** The server's Prometheus metrics, in a registry of its own (never prom-client's global one). */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Requests answered, by API (`inference`, `management`), model (empty when none) and HTTP status. */
  readonly requests: Counter<'api' | 'model' | 'status'>;
  /** Request latency in seconds from arrival to the last byte written, by API and model. */
  readonly latency: Histogram<'api' | 'model'>;
  /** Sizes of the batches sent to handlers. */
  readonly batchSize: Histogram<'model'>;
  /** Requests waiting for a worker. */
  readonly queueDepth: Gauge<'model'>;
  /** Workers ready to take a batch. */
  readonly workers: Gauge<'model'>;
  /** Worker processes restarted after they died or hung, by reason (`exit`, `timeout`). */
  readonly workerRestarts: Counter<'model' | 'reason'>;
  /** TorchServe's metric names and labels (its default `metrics.yaml`), in its text format. */
  readonly torchserve: TorchServeMetrics;
}

/**
 * Creates the metrics (with Node's default process metrics, prefixed `model_server_`). `diskPath` is the folder whose
 * disk TorchServe's `DiskUsage`/`DiskAvailable`/`DiskUtilization` describe (the model store; default the cwd).
 */
export const createMetrics = (options: { diskPath?: string } = {}): ServerMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'model_server_' });
  const registers = [registry];
  return {
    registry,
    torchserve: new TorchServeMetrics(options.diskPath === undefined ? {} : { diskPath: options.diskPath }),
    requests: new Counter({
      name: 'model_server_requests_total',
      help: 'HTTP requests answered, by API, model and status.',
      labelNames: ['api', 'model', 'status'],
      registers,
    }),
    latency: new Histogram({
      name: 'model_server_request_duration_seconds',
      help: 'Request latency from arrival to answer, in seconds.',
      labelNames: ['api', 'model'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers,
    }),
    batchSize: new Histogram({
      name: 'model_server_batch_size',
      help: 'Number of requests in each batch sent to a handler.',
      labelNames: ['model'],
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'model_server_queue_depth',
      help: 'Requests waiting for a worker.',
      labelNames: ['model'],
      registers,
    }),
    workers: new Gauge({
      name: 'model_server_workers_ready',
      help: 'Workers ready to take a batch.',
      labelNames: ['model'],
      registers,
    }),
    workerRestarts: new Counter({
      name: 'model_server_worker_restarts_total',
      help: 'Worker processes restarted after they exited or hung.',
      labelNames: ['model', 'reason'],
      registers,
    }),
  };
};

/**
 * The text of `GET /metrics`: ours (prom-client) then TorchServe's families. `names` (TorchServe's `?name[]=`) keeps
 * only the families named; all when empty.
 */
export const renderMetrics = async (metrics: ServerMetrics, names: readonly string[] = []): Promise<string> => {
  const counted = await metrics.requests.get();
  const byStatus = new Map<number, number>();
  for (const { labels, value } of counted.values) byStatus.set(Number(labels.status), (byStatus.get(Number(labels.status)) ?? 0) + value);
  const statusCounts: StatusCount[] = [...byStatus].map(([status, count]) => ({ status, count }));
  const ours =
    names.length === 0
      ? await metrics.registry.metrics()
      : (await Promise.all(names.filter((name) => metrics.registry.getSingleMetric(name) !== undefined).map((name) => metrics.registry.getSingleMetricAsString(name)))).map((text) => `${text}\n`).join('');
  return `${ours}${metrics.torchserve.render(statusCounts, names)}`;
};
