/**
 * The only file that imports onnxruntime-node. Creates sessions with an ordered list of execution providers and a
 * CPU fallback (onnxruntime-node rejects a list whose first provider cannot load instead of falling back), runs them,
 * and wraps every ONNX Runtime failure as a coded error with the original as `cause`.
 */
import { ModelArchiveError } from '@model-archiver/core/read';
import './ort-environment.js'; // before onnxruntime-node: telemetry off unless the user set ORT_DISABLE_TELEMETRY
import ort from 'onnxruntime-node';

import { NOISY_PROVIDERS, probeProvider } from './provider-probe.js';
import type { GraphOptimizationLevel } from '../types.js';

// Native logs go straight to stderr with colour codes; failures reach us as exceptions anyway.
ort.env.logLevel = 'fatal';

/** ONNX Runtime tensor element types the runtime handles. */
export type OnnxTensorType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** Element storage of each type (float16 holds IEEE half bits; bool holds 0/1). */
export type OnnxTensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array
  | string[];

/** A CPU tensor: what handlers pass to {@link OnnxSession.run} and get back from it. */
export interface OnnxTensor {
  readonly type: string;
  readonly data: OnnxTensorData | ArrayLike<unknown>;
  readonly dims: readonly number[];
}

/** An input or output of a session, with ONNX Runtime type names. */
export interface OnnxValueInfo {
  name: string;
  /** ONNX Runtime type name (`float32`, `int64`, ...); `unknown` for non-tensor values. */
  type: string;
  shape: (number | string)[];
}

/** Session settings: providers in order, graph optimisation and threads. */
export interface OnnxSessionOptions {
  executionProviders: readonly string[];
  gpuId?: number | null;
  graphOptimizationLevel: GraphOptimizationLevel;
  intraOpNumThreads: number;
  interOpNumThreads: number;
  /** The first provider must load: `EXECUTION_PROVIDER_UNAVAILABLE` instead of falling back (default false). */
  requireExecutionProvider?: boolean;
  /** Let ONNX Runtime and the providers' native libraries print their own log lines on stderr (default false). */
  nativeLogs?: boolean;
}

/** Providers known to fail in this process, with the reason, so a second session neither retries nor warns twice. */
const failedProviders = new Map<string, string>();

/** Creates an ONNX Runtime tensor (the class handlers would otherwise have to import). */
export function createTensor(type: OnnxTensorType, data: OnnxTensorData, dims: readonly number[]): OnnxTensor {
  try {
    return new ort.Tensor(type, data as never, dims);
  } catch (cause) {
    throw new ModelArchiveError('INPUT_INVALID', `Cannot make a ${type} tensor of shape [${dims.join(', ')}]: ${(cause as Error).message}`, {
      cause,
      details: { type, dims: [...dims] },
    });
  }
}

const providerEntry = (name: string, gpuId: number | null | undefined): string | { name: string; deviceId: number } =>
  (name === 'cuda' || name === 'tensorrt') && typeof gpuId === 'number' ? { name, deviceId: gpuId } : name;

const sessionOptions = (options: OnnxSessionOptions, providers: readonly string[]): ort.InferenceSession.SessionOptions => ({
  executionProviders: providers.map((p) => providerEntry(p, options.gpuId)) as ort.InferenceSession.SessionOptions['executionProviders'],
  graphOptimizationLevel: options.graphOptimizationLevel,
  intraOpNumThreads: options.intraOpNumThreads,
  interOpNumThreads: options.interOpNumThreads,
  logSeverityLevel: options.nativeLogs === true ? 2 : 4,
});

const supportedBackends = (): Set<string> => new Set(ort.listSupportedBackends().map((b) => b.name));

/** Names of the execution providers this onnxruntime-node build has (`cpu`, `webgpu`, `cuda`, `tensorrt` on Linux x64). */
export function availableExecutionProviders(): string[] {
  return [...supportedBackends()];
}

/** Providers that loaded in this process (a noisy one is not probed again). */
const workingProviders = new Set<string>();

/**
 * Opens a session on `model` (a file path or the model bytes), trying `executionProviders` in order: a provider that
 * fails to load is dropped and the rest is tried, down to `cpu`. Reports the providers skipped, with their reasons,
 * in ONE call of `warn`. With `requireExecutionProvider` the first provider must load instead:
 * `EXECUTION_PROVIDER_UNAVAILABLE` (details: `provider`, `reason`, `available`). Throws `MODEL_LOAD_FAILED` when even
 * CPU cannot load the model.
 */
export async function createOnnxSession(
  model: string | Uint8Array,
  options: OnnxSessionOptions,
  warn: (message: string) => void,
): Promise<OnnxSession> {
  const wanted = options.executionProviders.length > 0 ? options.executionProviders.map((p) => p.toLowerCase()) : ['cpu'];
  const backends = supportedBackends();
  const required = options.requireExecutionProvider === true ? wanted[0] : undefined;
  ort.env.logLevel = options.nativeLogs === true ? 'warning' : 'fatal';
  // Remembered process-wide only once a later attempt succeeded: if nothing loads, the model is at fault, not them.
  const failedHere = new Map<string, string>();
  const unavailable = (provider: string, reason: string, cause?: unknown): ModelArchiveError =>
    new ModelArchiveError('EXECUTION_PROVIDER_UNAVAILABLE', `Execution provider ${provider} is required but cannot be used: ${reason}`, {
      ...(cause === undefined ? {} : { cause }),
      details: { provider, reason, available: [...backends] },
    });
  if (options.nativeLogs !== true && typeof model === 'string') {
    for (const name of wanted) {
      if (!NOISY_PROVIDERS.has(name) || !backends.has(name) || failedProviders.has(name) || workingProviders.has(name)) continue;
      const probe = await probeProvider(model, name, options.gpuId);
      if (!probe.ok) failedHere.set(name, probe.reason);
    }
  }
  const skipped: string[] = [];
  const knownReason = (name: string): string | undefined =>
    failedProviders.get(name) ?? failedHere.get(name) ?? (backends.has(name) ? undefined : 'not available in this onnxruntime-node build');
  if (required !== undefined && required !== 'cpu') {
    const reason = knownReason(required);
    if (reason !== undefined) throw unavailable(required, reason);
  }
  // Providers this build lacks, or that failed before, are dropped up front: ONNX Runtime would otherwise print its
  // own console warning for unknown names (or its native libraries their messages).
  let remaining = wanted.filter((name) => {
    const known = knownReason(name);
    if (known !== undefined && name !== 'cpu') skipped.push(`${name} (${known})`);
    return known === undefined || name === 'cpu';
  });
  let lastError: unknown;
  let triedCpu = false;
  const succeed = (session: ort.InferenceSession, providers: string[]): OnnxSession => {
    for (const [name, reason] of failedHere) failedProviders.set(name, reason);
    for (const name of providers) workingProviders.add(name);
    if (skipped.length > 0) warn(`Execution provider ${skipped.join(', ')} unavailable; using ${providers.join(', ')}`);
    return new OnnxSession(session, providers);
  };
  while (remaining.length > 0) {
    const first = remaining[0] as string;
    triedCpu ||= first === 'cpu';
    try {
      return succeed(await ort.InferenceSession.create(model as string, sessionOptions(options, remaining)), remaining);
    } catch (cause) {
      lastError = cause;
      if (first === 'cpu') break;
      const reason = (cause as Error).message.split('\n')[0] ?? 'failed';
      if (first === required) throw unavailable(first, reason, cause);
      failedHere.set(first, reason);
      skipped.push(`${first} (${reason})`);
      remaining = remaining.slice(1);
    }
  }
  if (!triedCpu) {
    try {
      return succeed(await ort.InferenceSession.create(model as string, sessionOptions(options, ['cpu'])), ['cpu']);
    } catch (cause) {
      lastError = cause;
    }
  }
  const where = typeof model === 'string' ? model : `${model.byteLength} bytes`;
  throw new ModelArchiveError('MODEL_LOAD_FAILED', `ONNX Runtime could not load ${where}: ${(lastError as Error).message}`, {
    cause: lastError,
    details: { model: where, executionProviders: wanted },
  });
}

const valueInfo = (meta: ort.InferenceSession.ValueMetadata): OnnxValueInfo =>
  meta.isTensor ? { name: meta.name, type: meta.type, shape: [...meta.shape] } : { name: meta.name, type: 'unknown', shape: [] };

/** An open ONNX Runtime session. */
export class OnnxSession {
  /** Inputs of the model, in graph order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** Outputs of the model, in graph order. */
  readonly outputs: readonly OnnxValueInfo[];
  /** The providers the session was created with (after any fallback). */
  readonly executionProviders: readonly string[];
  #session: ort.InferenceSession | undefined;

  /** @internal Use {@link createOnnxSession}. */
  constructor(session: ort.InferenceSession, providers: readonly string[]) {
    this.#session = session;
    this.inputs = session.inputMetadata.map(valueInfo);
    this.outputs = session.outputMetadata.map(valueInfo);
    this.executionProviders = providers;
  }

  /** Runs the model; `outputNames` defaults to every output. Throws `INFERENCE_FAILED` (ORT's error as cause). */
  async run(feeds: Record<string, OnnxTensor>, outputNames?: readonly string[]): Promise<Record<string, OnnxTensor>> {
    const session = this.#session;
    if (session === undefined) throw new ModelArchiveError('INFERENCE_FAILED', 'The ONNX session was released');
    try {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, value] of Object.entries(feeds)) {
        ortFeeds[name] = value instanceof ort.Tensor ? value : new ort.Tensor(value.type as OnnxTensorType, value.data as never, value.dims);
      }
      const result = outputNames === undefined ? await session.run(ortFeeds) : await session.run(ortFeeds, [...outputNames]);
      return result as unknown as Record<string, OnnxTensor>;
    } catch (cause) {
      throw new ModelArchiveError('INFERENCE_FAILED', `ONNX Runtime failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** Frees the native session. Safe to call twice. */
  async release(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) await session.release();
  }
}
