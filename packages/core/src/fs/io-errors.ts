import { ModelArchiveError, abortedError, isModelArchiveError } from '../errors.js';

/** The errno code of a Node system error (`ENOENT`, `ENOSPC`, ...), if any. */
export const errnoOf = (error: unknown): string | undefined => {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
};

/** A coded error for a failed read of an input file (kept as is when already coded). */
export function inputReadError(error: unknown, path: string): ModelArchiveError {
  if (isModelArchiveError(error)) return error;
  const errno = errnoOf(error);
  return new ModelArchiveError('INPUT_READ_FAILED', `Cannot read input file ${path}${errno ? ` (${errno})` : ''}`, {
    cause: error,
    details: { path, ...(errno ? { errno } : {}) },
  });
}

/** A coded error for a failed write of the output (kept as is when already coded). */
export function outputWriteError(error: unknown, path: string): ModelArchiveError {
  if (isModelArchiveError(error)) return error;
  const errno = errnoOf(error);
  return new ModelArchiveError('OUTPUT_WRITE_FAILED', `Cannot write output ${path}${errno ? ` (${errno})` : ''}`, {
    cause: error,
    details: { path, ...(errno ? { errno } : {}) },
  });
}

/** Throws `ABORTED` when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortedError('The build', signal);
}

/** Runs `fn`, turning any failure into a coded error via `wrap`. */
export async function wrapErrors<T>(fn: () => Promise<T>, wrap: (error: unknown) => ModelArchiveError): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrap(error);
  }
}
