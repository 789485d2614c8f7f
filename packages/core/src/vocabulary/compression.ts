import { ModelArchiveError } from '../errors.js';

/** How file entries are compressed in the `default` format (`zip-store` always stores). */
export const COMPRESSION_MODES = ['auto', 'deflate', 'store'] as const;

/** A compression mode (see {@link COMPRESSION_MODES}). */
export type CompressionMode = (typeof COMPRESSION_MODES)[number];

/** Deflate levels accepted (zlib's 1-9) and the default, the reference archivers' level. */
export const COMPRESSION_LEVELS = { min: 1, max: 9, default: 6 } as const;

/** True when `value` names a compression mode. */
export const isCompressionMode = (value: unknown): value is CompressionMode =>
  (COMPRESSION_MODES as readonly unknown[]).includes(value);

/** True when `value` is a whole deflate level in {@link COMPRESSION_LEVELS}. */
export const isCompressionLevel = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= COMPRESSION_LEVELS.min && (value as number) <= COMPRESSION_LEVELS.max;

/**
 * The deflate level, or {@link COMPRESSION_LEVELS} `default` when none is given; the one check of the level, used by
 * the builder and, for an early answer, by the CLI (`option` names the flag or option in the message and details).
 * @throws INVALID_OPTION (details `{ option, value }`) unless it is a whole number from 1 to 9
 */
export function checkCompressionLevel(value: number | undefined, option = 'compressionLevel'): number {
  if (value === undefined) return COMPRESSION_LEVELS.default;
  if (!isCompressionLevel(value)) {
    const { min, max } = COMPRESSION_LEVELS;
    throw new ModelArchiveError('INVALID_OPTION', `${option} must be a whole number from ${min} to ${max}, got ${String(value)}`, {
      details: { option, value },
    });
  }
  return value;
}
