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
