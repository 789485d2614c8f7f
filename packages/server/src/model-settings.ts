import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import { z } from 'zod';

/**
 * Per-model serving settings (TorchServe's register parameters), with one set of limits used by the `model-server`
 * flags, the management API (`POST /models`, `PUT /models/{m}`) and `startServer`.
 */
export const ModelSettingsSchema = z.strictObject({
  batchSize: z.int().min(1).max(1024).describe('Largest number of requests handled in one batch'),
  maxBatchDelay: z.int().min(0).max(600_000).describe('Longest time (ms) the first request of a batch waits for more'),
  minWorkers: z.int().min(0).max(64).describe('Workers kept running'),
  maxWorkers: z.int().min(0).max(64).describe('Upper bound recorded for scaling (not scaled above minWorkers automatically)'),
  responseTimeout: z.int().min(1).max(86_400_000).describe('Per-request timeout (ms) from arrival to answer; a batch past it kills its worker'),
  queueSize: z.int().min(1).max(1_000_000).describe('Requests waiting per model beyond which new ones get 503'),
  memoryLimit: z
    .int()
    .min(0)
    .max(1_048_576)
    .describe('Resident memory (MiB) a worker may use before it is recycled (its requests get 507); 0: no limit'),
  startupTimeout: z.int().min(0).max(86_400_000).describe('Longest time (ms) a worker may take to load the model; 0 fails every start, as in TorchServe'),
});

/** Per-model serving settings; see {@link ModelSettingsSchema} for the limits. */
export type ModelSettings = z.output<typeof ModelSettingsSchema>;

/** Defaults of {@link ModelSettings} (TorchServe's where it has one). */
export const DEFAULT_MODEL_SETTINGS: ModelSettings = {
  batchSize: 1,
  maxBatchDelay: 100,
  minWorkers: 1,
  maxWorkers: 1,
  responseTimeout: 120_000,
  queueSize: 100,
  memoryLimit: 0,
  startupTimeout: 120_000,
};

/** How a setting is spelled where users give it: the `model-server` flag, the management API parameter, its unit. */
interface SettingSpelling {
  flag: string;
  param: string;
  /** Multiplier from the user's unit to the setting's (seconds → ms). */
  scale: number;
}

/** The user-facing names of each setting (one table for the CLI and the management API). */
export const MODEL_SETTING_SPELLINGS: Readonly<Record<keyof ModelSettings, SettingSpelling>> = {
  batchSize: { flag: 'batch-size', param: 'batch_size', scale: 1 },
  maxBatchDelay: { flag: 'max-batch-delay', param: 'max_batch_delay', scale: 1 },
  minWorkers: { flag: 'workers', param: 'min_worker', scale: 1 },
  maxWorkers: { flag: 'max-workers', param: 'max_worker', scale: 1 },
  responseTimeout: { flag: 'response-timeout', param: 'response_timeout', scale: 1000 },
  queueSize: { flag: 'queue-size', param: 'job_queue_size', scale: 1 },
  memoryLimit: { flag: 'worker-memory-limit', param: 'memory_limit', scale: 1 },
  startupTimeout: { flag: 'startup-timeout', param: 'startup_timeout', scale: 1000 },
};

/** Where settings come from: `flag` names them as `--batch-size`, `param` as `batch_size`. */
export type SettingSource = 'flag' | 'param';

const nameOf = (key: keyof ModelSettings, source: SettingSource): string =>
  source === 'flag' ? `--${MODEL_SETTING_SPELLINGS[key].flag}` : MODEL_SETTING_SPELLINGS[key].param;

const numberOf = (raw: unknown): number => (typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN);

/**
 * Checks one setting given in the user's unit (`responseTimeout` in seconds, the rest as stored) against the limits of
 * {@link ModelSettingsSchema}; returns it in the stored unit, or `undefined` when absent (`undefined` or `''`). Throws
 * `INVALID_OPTION` naming `name` (the flag or parameter), with `details.parameter`.
 */
export const parseModelSetting = <K extends keyof ModelSettings>(key: K, raw: unknown, name: string): ModelSettings[K] | undefined => {
  if (raw === undefined || raw === '') return undefined;
  const field = ModelSettingsSchema.shape[key];
  const { scale } = MODEL_SETTING_SPELLINGS[key];
  const scaled = numberOf(raw) * scale;
  const parsed = field.safeParse(Number.isFinite(scaled) ? Math.round(scaled * 1e6) / 1e6 : scaled);
  if (parsed.success) return parsed.data;
  const kind = scale === 1 ? 'a whole number' : 'a number of seconds';
  throw new ModelArchiveError(
    ErrorCode.INVALID_OPTION,
    `${name} must be ${kind} from ${(field.minValue ?? 0) / scale} to ${(field.maxValue ?? 0) / scale} (got ${String(raw)}).`,
    { details: { parameter: name }, cause: parsed.error },
  );
};

/**
 * Checks settings given in the user's units (see {@link parseModelSetting}), named as flags (`--batch-size`) or as
 * management API parameters (`batch_size`). Absent values are left out; `maxWorkers` below `minWorkers` is refused.
 */
export const parseModelSettings = (raw: Partial<Record<keyof ModelSettings, unknown>>, source: SettingSource): Partial<ModelSettings> => {
  const settings: Partial<ModelSettings> = {};
  for (const key of Object.keys(MODEL_SETTING_SPELLINGS) as (keyof ModelSettings)[]) {
    const value = parseModelSetting(key, raw[key], nameOf(key, source));
    if (value !== undefined) settings[key] = value;
  }
  if (settings.minWorkers !== undefined && settings.maxWorkers !== undefined && settings.maxWorkers < settings.minWorkers) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `${nameOf('maxWorkers', source)} cannot be less than ${nameOf('minWorkers', source)}.`, {
      details: { parameter: nameOf('maxWorkers', source) },
    });
  }
  return settings;
};

/** Java's `Integer.parseInt` syntax: what TorchServe's `NettyUtils.getIntParameter` accepts. */
const JAVA_INT = /^[+-]?\d{1,10}$/;

/**
 * A management API parameter read as TorchServe reads it (`NettyUtils.getIntParameter`): a value that is not an
 * integer (`dd`, `junk`, `1.5`, empty) is ignored and the default applies; an integer is returned as a number.
 */
export const torchServeInt = (raw: unknown): number | undefined => {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw !== 'string' || !JAVA_INT.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return value >= -2_147_483_648 && value <= 2_147_483_647 ? value : undefined;
};

/** TorchServe's `Boolean.parseBoolean`: true only for `true` (any case); absent gives `fallback`. */
export const torchServeBoolean = (raw: unknown, fallback: boolean): boolean => {
  if (raw === undefined) return fallback;
  return typeof raw === 'boolean' ? raw : String(raw).toLowerCase() === 'true';
};

/**
 * Settings of `POST /models`, read with TorchServe's rules: non-integer values fall back to the defaults, negative
 * `batch_size`/`max_batch_delay`/`response_timeout`/`startup_timeout` mean "default" (TorchServe's -1 sentinels), and
 * integers are then checked against {@link ModelSettingsSchema} (`INVALID_OPTION`, 400).
 */
export const parseRegisterSettings = (raw: Partial<Record<keyof ModelSettings, unknown>>): Partial<ModelSettings> => {
  const read: Partial<Record<keyof ModelSettings, unknown>> = {};
  for (const key of Object.keys(MODEL_SETTING_SPELLINGS) as (keyof ModelSettings)[]) {
    if (key === 'minWorkers' || key === 'maxWorkers') continue;
    const value = torchServeInt(raw[key]);
    if (value !== undefined && value >= 0) read[key] = value;
  }
  return parseModelSettings(read, 'param');
};

/**
 * `initial_workers` as TorchServe reads it: a non-integer gives `fallback`, zero or less registers without workers;
 * above the limit of {@link ModelSettingsSchema} it is `INVALID_OPTION`.
 */
export const parseInitialWorkers = (raw: unknown, fallback: number): number => {
  const value = torchServeInt(raw) ?? fallback;
  return value <= 0 ? 0 : (parseModelSetting('minWorkers', value, 'initial_workers') ?? 0);
};

/**
 * `min_worker`/`max_worker` of `PUT /models/{m}` as TorchServe reads them: `min_worker` defaults to 1 (also for a
 * non-integer), `max_worker` to `min_worker`. `max_worker` below `min_worker` is `INVALID_OPTION` (400); a negative
 * `min_worker` is `WORKER_COUNT_INVALID` (TorchServe answers 500); above the schema's limit is `INVALID_OPTION`.
 */
export const parseScaleWorkers = (rawMin: unknown, rawMax: unknown): { minWorkers: number; maxWorkers: number } => {
  const minWorkers = torchServeInt(rawMin) ?? 1;
  const maxWorkers = torchServeInt(rawMax) ?? minWorkers;
  if (maxWorkers < minWorkers) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'max_worker cannot be less than min_worker.', { details: { parameter: 'max_worker' } });
  }
  if (minWorkers < 0) {
    throw new ModelArchiveError(ErrorCode.WORKER_COUNT_INVALID, `Cannot scale to ${minWorkers} workers.`, { details: { parameter: 'min_worker' } });
  }
  return {
    minWorkers: parseModelSetting('minWorkers', minWorkers, 'min_worker') ?? minWorkers,
    maxWorkers: parseModelSetting('maxWorkers', maxWorkers, 'max_worker') ?? maxWorkers,
  };
};
