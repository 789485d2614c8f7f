import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
}

/** Creates the metrics (with Node's default process metrics, prefixed `model_server_`). */
export const createMetrics = (): ServerMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'model_server_' });
  const registers = [registry];
  return {
    registry,
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
