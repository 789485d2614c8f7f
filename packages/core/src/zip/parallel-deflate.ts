import { availableParallelism } from 'node:os';
import { constants, deflateRaw, deflateRawSync } from 'node:zlib';

/** Size of the independently deflated pieces of an entry. Part of the output format: changing it changes the bytes. */
export const DEFLATE_CHUNK_SIZE = 1024 * 1024;
/** Deflate window: each piece is primed with this much of the previous piece's tail (as pigz does). */
const WINDOW = 32 * 1024;
/** Buffers up to this size are deflated synchronously (microseconds; a threadpool hop would cost more). */
const SYNC_DEFLATE_MAX = 64 * 1024;

/** Default number of pieces deflated at once (libuv threadpool jobs); never changes the bytes. */
export const defaultDeflateConcurrency = (): number => Math.max(2, Math.min(availableParallelism() + 1, 4));

const deflatePiece = (data: Buffer, dictionary: Buffer | undefined, last: boolean, level: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    deflateRaw(
      data,
      {
        level,
        // Room for the whole output in one buffer: no round trips through the main thread per 16 KiB of output.
        chunkSize: Math.max(64, data.length + (data.length >>> 6) + 1024),
        ...(dictionary && dictionary.length > 0 ? { dictionary } : {}),
        finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });

/**
 * Deflates a sequence of pieces in parallel on the libuv threadpool, pigz-style: every piece is a raw deflate stream
 * primed with the previous 32 KiB (so the ratio matches one long stream), ended with a sync flush (byte-aligned,
 * not final) except the last one, which is finished. Their concatenation, in order, is one valid raw deflate stream.
 * The output depends only on the pieces and the level, never on scheduling.
 *
 * Push pieces with {@link push} (it resolves once there is room in the queue) and call {@link drain} after the last.
 * Compressed output is handed to `sink` in order, one call at a time.
 */
export class ParallelDeflater {
  private readonly queue: Promise<Buffer>[] = [];
  private tail: Buffer | undefined;
  /** Compressed bytes handed to the sink so far. */
  compressedSize = 0;

  constructor(
    private readonly level: number,
    private readonly concurrency: number,
    private readonly sink: (compressed: Buffer) => Promise<void>,
  ) {}

  /** Queues one piece; `last` must be true for the final piece (and only for it). */
  async push(piece: Buffer, last: boolean): Promise<void> {
    const job = deflatePiece(piece, this.tail, last, this.level);
    job.catch(() => undefined); // awaited below; keeps a failure from being reported as unhandled meanwhile
    this.queue.push(job);
    this.tail = last ? undefined : nextTail(this.tail, piece);
    while (this.queue.length >= this.concurrency) await this.flushOne();
  }

  /** Waits for every queued piece and hands its output to the sink. */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.flushOne();
  }

  /** Lets queued jobs finish in the background after a failure without unhandled rejections. */
  abandon(): void {
    this.queue.length = 0;
  }

  private async flushOne(): Promise<void> {
    const job = this.queue.shift();
    if (!job) return;
    const compressed = await job;
    this.compressedSize += compressed.length;
    await this.sink(compressed);
  }
}

function nextTail(previous: Buffer | undefined, piece: Buffer): Buffer {
  if (piece.length >= WINDOW || !previous) return piece.subarray(Math.max(0, piece.length - WINDOW));
  const joined = Buffer.concat([previous, piece]);
  return joined.subarray(Math.max(0, joined.length - WINDOW));
}

/** Deflates a whole buffer with the same piece boundaries as a streamed entry (so both give the same bytes). */
export async function deflateBuffer(
  data: Buffer,
  level: number,
  chunkSize = DEFLATE_CHUNK_SIZE,
  concurrency = defaultDeflateConcurrency(),
): Promise<Buffer[]> {
  // One piece with no dictionary, finished: the same bytes as the threadpool path, without a round trip per small file.
  if (data.length <= SYNC_DEFLATE_MAX && data.length <= chunkSize) return [deflateRawSync(data, { level })];
  const parts: Buffer[] = [];
  const deflater = new ParallelDeflater(level, concurrency, async (compressed) => {
    parts.push(compressed);
  });
  if (data.length === 0) {
    await deflater.push(data, true);
  }
  for (let at = 0; at < data.length; at += chunkSize) {
    await deflater.push(data.subarray(at, at + chunkSize), at + chunkSize >= data.length);
  }
  await deflater.drain();
  return parts;
}
