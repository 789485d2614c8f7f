import { describe, expect, it } from 'vitest';

import { TorchServeMetrics } from '../src/torchserve-metrics.js';

describe('TorchServeMetrics', () => {
  it("writes TorchServe's families, labels and Java client number format", () => {
    const metrics = new TorchServeMetrics({ hostname: 'web-1' });
    metrics.dequeued('cls', '1.0', 2);
    metrics.answered('cls', '1.0', 5);
    metrics.answered('cls', '1.0', 3.5);
    metrics.batchDone('cls', 4);
    metrics.handlerDone('cls', 2.5);
    metrics.workerLoaded('W-9000-cls_1.0', 812);
    const text = metrics.render([
      { status: 200, count: 3 },
      { status: 202, count: 1 },
      { status: 404, count: 2 },
      { status: 503, count: 1 },
    ]);
    const lines = text.split('\n');
    expect(lines).toContain('# HELP ts_inference_requests_total Torchserve prometheus counter metric with unit: Count');
    expect(lines).toContain('# TYPE ts_inference_requests_total counter');
    expect(lines).toContain('ts_inference_requests_total{model_name="cls",model_version="1.0",hostname="web-1",} 2.0');
    expect(lines).toContain('ts_inference_latency_microseconds{model_name="cls",model_version="1.0",hostname="web-1",} 8500.0');
    expect(lines).toContain('ts_queue_latency_microseconds{model_name="cls",model_version="1.0",hostname="web-1",} 2000.0');
    expect(lines).toContain('Requests2XX{Level="Host",Hostname="web-1",} 4.0');
    expect(lines).toContain('Requests4XX{Level="Host",Hostname="web-1",} 2.0');
    expect(lines).toContain('Requests5XX{Level="Host",Hostname="web-1",} 1.0');
    expect(lines).toContain('QueueTime{Level="Host",Hostname="web-1",} 2.0');
    expect(lines).toContain('WorkerThreadTime{Level="Host",Hostname="web-1",} 4.0');
    expect(lines).toContain('PredictionTime{ModelName="cls",Level="Model",Hostname="web-1",} 4.0');
    expect(lines).toContain('# TYPE HandlerTime gauge');
    expect(lines).toContain('HandlerTime{ModelName="cls",Level="Model",Hostname="web-1",} 2.5');
    expect(lines).toContain('WorkerLoadTime{WorkerName="W-9000-cls_1.0",Level="Host",Hostname="web-1",} 812.0');
    expect(lines).toContain('# TYPE GPUUtilization gauge');
    expect(lines.filter((line) => line.startsWith('GPUUtilization'))).toEqual([]);
  });

  it('keeps only the families asked for, and escapes label values', () => {
    const metrics = new TorchServeMetrics({ hostname: 'h"1' });
    metrics.answered('a', '1.0', 1);
    const text = metrics.render([], ['ts_inference_requests_total']);
    expect(text).toBe(
      '# HELP ts_inference_requests_total Torchserve prometheus counter metric with unit: Count\n# TYPE ts_inference_requests_total counter\n' +
        'ts_inference_requests_total{model_name="a",model_version="1.0",hostname="h\\"1",} 1.0\n',
    );
  });
});
