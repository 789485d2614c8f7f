import { renderMetrics } from '../metrics.js';
import type { ServerMetrics } from '../metrics.js';
import { sendBytes } from './http-context.js';
import { routePath } from './router.js';
import type { Route } from './router.js';

/** `GET /metrics` of the metrics port: Prometheus text; `?name[]=a&name[]=b` keeps those families (TorchServe's filter). */
export const metricsRoutes = (metrics: ServerMetrics): Route[] => [
  {
    pattern: routePath('/metrics'),
    methods: {
      GET: async (ctx) => {
        const names = ctx.url.searchParams.getAll('name[]');
        sendBytes(ctx, 200, metrics.registry.contentType, Buffer.from(await renderMetrics(metrics, names), 'utf8'));
      },
    },
  },
];
