import type { Readable } from 'node:stream';

import { CheckedStream, type CheckedStreamOptions } from './checked-stream.js';
import { readAbortedError } from './abort.js';
import { toArchiveError } from './error-map.js';

/**
 * Pipes a raw entry stream through a {@link CheckedStream} and returns the checked side. Errors of the source (zlib,
 * fd reads) reach the consumer as coded errors; destroying the checked side, or a check failing, stops the source.
 * A fired `signal` fails the checked side with `ABORTED`.
 */
export function checkedEntryStream(
  source: Readable | NodeJS.ReadableStream,
  archive: string,
  options: CheckedStreamOptions,
  signal?: AbortSignal,
): CheckedStream {
  const checked = new CheckedStream(options);
  if (signal !== undefined) {
    const onAbort = (): void => {
      checked.destroy(readAbortedError(archive, signal));
    };
    if (signal.aborted) queueMicrotask(onAbort);
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      checked.on('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  const src = source as Readable;
  const stop = (): void => {
    if (typeof src.destroy === 'function' && !src.destroyed) src.destroy();
  };
  src.on('error', (error: unknown) => {
    const mapped = toArchiveError(error, { archive, entry: options.path });
    checked.destroy(mapped instanceof Error ? mapped : new Error(String(mapped)));
  });
  checked.on('error', stop);
  checked.on('close', stop);
  src.pipe(checked);
  return checked;
}
