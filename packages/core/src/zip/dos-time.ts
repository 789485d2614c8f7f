/** A DOS date and time pair as stored in zip headers. */
export interface DosDateTime {
  /** `(hour << 11) | (minute << 5) | (second / 2)`. */
  time: number;
  /** `((year - 1980) << 9) | (month << 5) | day`. */
  date: number;
}

const MIN = Date.UTC(1980, 0, 1, 0, 0, 0);
const MAX = Date.UTC(2107, 11, 31, 23, 59, 58);

/**
 * Encodes a date as a DOS date/time in **UTC** (so the bytes do not depend on the builder's time zone),
 * seconds floored to even, clamped to the DOS range 1980-01-01 .. 2107-12-31.
 *
 * @example
 * toDosDateTime(new Date('2024-01-02T03:04:05Z')); // { time: 0x1882, date: 0x5822 }
 */
export function toDosDateTime(value: Date): DosDateTime {
  const ms = Math.min(MAX, Math.max(MIN, Number.isNaN(value.getTime()) ? MIN : value.getTime()));
  const d = new Date(ms);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
