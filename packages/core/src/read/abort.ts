import { ModelArchiveError } from '../errors.js';

/** The coded error for a read cancelled through its `AbortSignal` (the CLI's SIGINT/SIGTERM). */
export function abortedError(archive: string, signal: AbortSignal | undefined): ModelArchiveError {
  return new ModelArchiveError('ABORTED', `Reading ${archive} was cancelled`, { cause: signal?.reason, details: { archive } });
}

/** Throws `ABORTED` when `signal` has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined, archive: string): void {
  if (signal?.aborted === true) throw abortedError(archive, signal);
}
