import { statfsSync } from 'node:fs';
import os from 'node:os';

/** A sample: its labels in TorchServe's order, and its value. */
interface Sample {
  labels: readonly [string, string][];
  value: number;
}
type Samples = Map<string, Sample>;

/** The three per-model counters of one model version, kept at hand (they change on every request). */
interface ModelSamples {
  requests: Sample;
  latency: Sample;
  queue: Sample;
}

/** One metric family of TorchServe's default `metrics.yaml`. */
interface Family {
  name: string;
  type: 'counter' | 'gauge';
  unit: string;
  samples: Samples;
}

/** A request count by HTTP status, for `Requests2XX`/`4XX`/`5XX`. */
export interface StatusCount {
  status: number;
  count: number;
}

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** Java's `Double.toString` for the values printed here: always a decimal point (`8.0`, `0.5`). */
const javaDouble = (value: number): string => (Number.isInteger(value) ? `${value}.0` : String(value));

const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/**
 * TorchServe's frontend metrics (its default `ts/configs/metrics.yaml`, `metrics_mode=prometheus`), under TorchServe's
 * names and labels and in the text its Prometheus Java client writes (`name{Level="Host",Hostname="h",} 8.0`), so
 * TorchServe dashboards and scrapers read them unchanged. Host metrics (CPU, memory, disk) are measured at scrape time.
 */
export class TorchServeMetrics {
  private readonly hostname: string;
  private readonly families = new Map<string, Family>();
  private readonly byModel = new Map<string, Map<string, ModelSamples>>();
  /** `PredictionTime` of each model, kept at hand (it changes on every batch). */
  private readonly predictionTime = new Map<string, Sample>();
  /** `HandlerTime` of each model, kept at hand (it changes on every batch). */
  private readonly handlerTime = new Map<string, Sample>();
  /** The host gauges set on every request, created on first use (a sample shows once it has a value). */
  private queueTime: Sample | undefined;
  private workerThreadTime: Sample | undefined;
  /** The labels of the host-level samples: `Level="Host",Hostname="h"`. */
  private readonly hostLabels: readonly [string, string][];
  private lastCpu = os.cpus().map((cpu) => cpu.times);
  /** The folder whose disk `DiskUsage` and friends describe. */
  private readonly diskPath: string;

  constructor(options: { hostname?: string; diskPath?: string } = {}) {
    this.hostname = options.hostname ?? os.hostname();
    this.diskPath = options.diskPath ?? process.cwd();
    this.hostLabels = [
      ['Level', 'Host'],
      ['Hostname', this.hostname],
    ];
    const declare = (name: string, type: Family['type'], unit: string): void => {
      this.families.set(name, { name, type, unit, samples: new Map() });
    };
    declare('Requests2XX', 'counter', 'Count');
    declare('Requests4XX', 'counter', 'Count');
    declare('Requests5XX', 'counter', 'Count');
    declare('ts_inference_requests_total', 'counter', 'Count');
    declare('ts_inference_latency_microseconds', 'counter', 'Microseconds');
    declare('ts_queue_latency_microseconds', 'counter', 'Microseconds');
    declare('QueueTime', 'gauge', 'Milliseconds');
    declare('WorkerThreadTime', 'gauge', 'Milliseconds');
    declare('WorkerLoadTime', 'gauge', 'Milliseconds');
    declare('CPUUtilization', 'gauge', 'Percent');
    declare('MemoryUsed', 'gauge', 'Megabytes');
    declare('MemoryAvailable', 'gauge', 'Megabytes');
    declare('MemoryUtilization', 'gauge', 'Percent');
    declare('DiskUsage', 'gauge', 'Gigabytes');
    declare('DiskUtilization', 'gauge', 'Percent');
    declare('DiskAvailable', 'gauge', 'Gigabytes');
    declare('GPUMemoryUtilization', 'gauge', 'Percent');
    declare('GPUMemoryUsed', 'gauge', 'Megabytes');
    declare('GPUUtilization', 'gauge', 'Percent');
    declare('PredictionTime', 'gauge', 'ms');
    declare('HandlerTime', 'gauge', 'ms');
  }

  private family(name: string): Family {
    const family = this.families.get(name);
    if (family === undefined) throw new Error(`undeclared metric ${name}`);
    return family;
  }

  /** The sample of a family with those labels, created (value 0) on first use. */
  private sample(name: string, labels: readonly [string, string][]): Sample {
    const key = labels.map(([, v]) => v).join('\u0000');
    const samples = this.family(name).samples;
    let current = samples.get(key);
    if (current === undefined) samples.set(key, (current = { labels, value: 0 }));
    return current;
  }

  private set(name: string, labels: readonly [string, string][], value: number): void {
    this.sample(name, labels).value = value;
  }

  /** The per-model samples of a model version, created on first use. */
  private samplesOf(model: string, version: string): ModelSamples {
    let versions = this.byModel.get(model);
    if (versions === undefined) this.byModel.set(model, (versions = new Map()));
    let samples = versions.get(version);
    if (samples === undefined) {
      const labels: [string, string][] = [
        ['model_name', model],
        ['model_version', version],
        ['hostname', this.hostname],
      ];
      const sample = (name: string): Sample => {
        const created = { labels, value: 0 };
        this.family(name).samples.set(`${model}\u0000${version}`, created);
        return created;
      };
      samples = { requests: sample('ts_inference_requests_total'), latency: sample('ts_inference_latency_microseconds'), queue: sample('ts_queue_latency_microseconds') };
      versions.set(version, samples);
    }
    return samples;
  }

  /** A request left the queue for a worker after `queueMs`. */
  dequeued(model: string, version: string, queueMs: number): void {
    this.samplesOf(model, version).queue.value += queueMs * 1000;
    (this.queueTime ??= this.sample('QueueTime', this.hostLabels)).value = queueMs;
  }

  /** An inference request was answered (successfully or not) `latencyMs` after it arrived. */
  answered(model: string, version: string, latencyMs: number): void {
    const samples = this.samplesOf(model, version);
    samples.requests.value += 1;
    samples.latency.value += latencyMs * 1000;
  }

  /**
   * A batch came back from a worker process after `roundTripMs` (sent to answered): `WorkerThreadTime` (the time the
   * frontend's worker spent on it) and `PredictionTime` of the model.
   */
  batchDone(model: string, roundTripMs: number): void {
    (this.workerThreadTime ??= this.sample('WorkerThreadTime', this.hostLabels)).value = roundTripMs;
    this.modelGauge('PredictionTime', this.predictionTime, model).value = roundTripMs;
  }

  /** A batch spent `handlerMs` in the model's handler, as its worker measured it: `HandlerTime` of the model. */
  handlerDone(model: string, handlerMs: number): void {
    this.modelGauge('HandlerTime', this.handlerTime, model).value = handlerMs;
  }

  /** The sample of a per-model gauge (`ModelName`, `Level="Model"`, `Hostname`), created on first use and kept in `kept`. */
  private modelGauge(name: string, kept: Map<string, Sample>, model: string): Sample {
    let sample = kept.get(model);
    if (sample === undefined) {
      sample = this.sample(name, [
        ['ModelName', model],
        ['Level', 'Model'],
        ['Hostname', this.hostname],
      ]);
      kept.set(model, sample);
    }
    return sample;
  }

  /** A worker (`W-<id>-<model>_<version>`) loaded its model in `loadMs`. */
  workerLoaded(workerName: string, loadMs: number): void {
    this.set('WorkerLoadTime', [['WorkerName', workerName], ...this.hostLabels], loadMs);
  }

  /** Host CPU, memory and disk, measured now (CPU: since the previous scrape). */
  private measureHost(): void {
    const cpus = os.cpus().map((cpu) => cpu.times);
    let busy = 0;
    let total = 0;
    cpus.forEach((times, index) => {
      const before = this.lastCpu[index] ?? { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
      const idle = times.idle - before.idle;
      const all = times.user - before.user + (times.nice - before.nice) + (times.sys - before.sys) + (times.irq - before.irq) + idle;
      busy += all - idle;
      total += all;
    });
    this.lastCpu = cpus;
    const round = (value: number, places = 1): number => Math.round(value * 10 ** places) / 10 ** places;
    this.set('CPUUtilization', this.hostLabels, total > 0 ? round((busy / total) * 100) : 0);
    const free = os.freemem();
    const totalMem = os.totalmem();
    this.set('MemoryUsed', this.hostLabels, (totalMem - free) / MB);
    this.set('MemoryAvailable', this.hostLabels, free / MB);
    this.set('MemoryUtilization', this.hostLabels, round(((totalMem - free) / totalMem) * 100));
    try {
      const disk = statfsSync(this.diskPath);
      const size = disk.blocks * disk.bsize;
      const available = disk.bavail * disk.bsize;
      const used = size - disk.bfree * disk.bsize;
      this.set('DiskUsage', this.hostLabels, used / GB);
      this.set('DiskAvailable', this.hostLabels, available / GB);
      this.set('DiskUtilization', this.hostLabels, size > 0 ? round((used / size) * 100) : 0);
    } catch {
      // A folder that vanished leaves the disk samples out, as TorchServe does when its collector fails.
    }
  }

  /**
   * The families in Prometheus text (TorchServe's format). `statusCounts` gives `Requests2XX`/`4XX`/`5XX` (every
   * answered request, on every port); `names` keeps only those families (`?name[]=`), all when empty.
   */
  render(statusCounts: readonly StatusCount[], names: readonly string[] = []): string {
    this.measureHost();
    const byClass = { Requests2XX: 0, Requests4XX: 0, Requests5XX: 0 };
    for (const { status, count } of statusCounts) {
      if (status >= 200 && status < 300) byClass.Requests2XX += count;
      else if (status >= 400 && status < 500) byClass.Requests4XX += count;
      else if (status >= 500) byClass.Requests5XX += count;
    }
    for (const [name, count] of Object.entries(byClass)) if (count > 0) this.set(name, this.hostLabels, count);
    const lines: string[] = [];
    for (const family of this.families.values()) {
      if (names.length > 0 && !names.includes(family.name)) continue;
      lines.push(`# HELP ${family.name} Torchserve prometheus ${family.type} metric with unit: ${family.unit}`, `# TYPE ${family.name} ${family.type}`);
      for (const { labels, value } of family.samples.values()) {
        lines.push(`${family.name}{${labels.map(([key, v]) => `${key}="${escape(v)}",`).join('')}} ${javaDouble(value)}`);
      }
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }
}
