import { ModelArchiveError } from '../errors.js';

const pad2 = (n: number): string => String(n).padStart(2, '0');

const assertValidDate = (date: Date): void => {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new ModelArchiveError('INVALID_OPTION', 'createdOn is not a valid date', { details: { createdOn: String(date) } });
  }
};

/**
 * TorchServe's `createdOn` layout, `"%d/%m/%Y %H:%M:%S"`, in **UTC**. The reference archiver formats
 * `datetime.now()` in the builder's local time zone; UTC keeps builds reproducible across machines.
 * Throws `INVALID_OPTION` for an invalid Date.
 *
 * @example
 * formatTorchServeDate(new Date('2026-11-24T08:54:37Z')); // '24/11/2026 08:54:37'
 */
export function formatTorchServeDate(date: Date): string {
  assertValidDate(date);
  const day = `${pad2(date.getUTCDate())}/${pad2(date.getUTCMonth() + 1)}/${String(date.getUTCFullYear())}`;
  return `${day} ${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}`;
}

/**
 * Reads a TorchServe `createdOn` (`"%d/%m/%Y %H:%M:%S"`) as a UTC instant, or `undefined` when it does not have
 * that layout or names no real date. The time zone it was written in is not recorded (local time for the reference
 * tool), so the result is only exact for archives built in UTC.
 */
export function parseTorchServeDate(text: string): Date | undefined {
  const match = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (match === null) return undefined;
  const [day, month, year, hours, minutes, seconds] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds));
  const sameFields =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hours &&
    date.getUTCMinutes() === minutes &&
    date.getUTCSeconds() === seconds;
  return sameFields ? date : undefined;
}

/**
 * The node flavour's `createdOn`: ISO-8601 UTC to the second (`2024-01-02T03:04:05Z`; milliseconds are dropped so
 * a `SOURCE_DATE_EPOCH` in seconds round-trips). Throws `INVALID_OPTION` for an invalid Date.
 */
export function formatIsoUtc(date: Date): string {
  assertValidDate(date);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
