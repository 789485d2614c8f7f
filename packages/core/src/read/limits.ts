import { ModelArchiveError } from '../errors.js';
import type { ReadLimits } from './archive-types.js';

/**
 * Safe defaults for {@link ReadLimits}: generous enough for multi-GiB models, small enough that a zip bomb is refused
 * before it fills a disk. See docs/security.md.
 */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxTotalSize: 64 * 1024 ** 3,
  maxEntries: 100_000,
  maxCompressionRatio: 200,
  maxPathLength: 4096,
  maxPathDepth: 64,
});

/** Entries at or below this uncompressed size are exempt from the compression-ratio limit (tiny files compress well). */
export const RATIO_EXEMPT_SIZE = 1024 * 1024;

/** Merges caller limits over the defaults; throws `INVALID_OPTION` for a limit that is not a positive number. */
export function resolveReadLimits(limits: Partial<ReadLimits> = {}): ReadLimits {
  const merged: ReadLimits = { ...DEFAULT_READ_LIMITS };
  for (const key of Object.keys(DEFAULT_READ_LIMITS) as (keyof ReadLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new ModelArchiveError('INVALID_OPTION', `Read limit ${key} must be a positive number, got ${String(value)}`, {
        details: { option: key, value },
      });
    }
    merged[key] = value;
  }
  return merged;
}

/** True when an entry of `size` bytes stored in `compressedSize` bytes exceeds the ratio limit. */
export function exceedsRatio(size: number, compressedSize: number, limits: ReadLimits): boolean {
  if (size <= RATIO_EXEMPT_SIZE) return false;
  if (compressedSize <= 0) return true;
  return size / compressedSize > limits.maxCompressionRatio;
}
