import { abortedError } from '../errors.js';
import type { ModelArchiveError } from '../errors.js';

/** The coded error for reading `archive` cancelled through its `AbortSignal`. */
export const readAbortedError = (archive: string, signal: AbortSignal | undefined): ModelArchiveError =>
  abortedError(`Reading ${archive}`, signal, { archive });

/** Throws `ABORTED` when `signal` has fired while reading `archive`. */
export const throwIfReadAborted = (signal: AbortSignal | undefined, archive: string): void => {
  if (signal?.aborted === true) throw readAbortedError(archive, signal);
};
