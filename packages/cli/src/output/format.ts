import { isAbsolute, relative, sep } from 'node:path';

/**
 * Formats a byte count with binary units, e.g. `512 B`, `3.4 KiB`, `1.0 GiB`.
 * @example formatBytes(3_565_158) // '3.4 MiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Formats a duration in seconds with two decimals, e.g. `0.21 s`, `12.40 s`.
 * @example formatDuration(213) // '0.21 s'
 */
export function formatDuration(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

/** A path for humans: relative to `cwd` when it lies inside it, else absolute. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel) ? rel : absolute;
}
