import { deflateRawSync } from 'node:zlib';

/** How one zip entry is stored. */
export type EntryMethod = 'store' | 'deflate';

/** Per-entry compression request: `auto` lets the writer decide from the name and the data. */
export type EntryCompression = EntryMethod | 'auto';

/**
 * Extensions of formats that are already dense (model weights, tensors, archives, media): deflating them costs about
 * 11x the time of storing and usually makes them bigger (docs/performance.md), so `auto` stores them.
 */
export const DENSE_EXTENSIONS: ReadonlySet<string> = new Set([
  // model weights and tensors
  '.onnx', '.ort', '.pt', '.pth', '.bin', '.safetensors', '.params', '.pb', '.h5', '.hdf5', '.keras', '.tflite',
  '.ckpt', '.npy', '.npz', '.gguf', '.ggml', '.engine', '.trt', '.mlmodel', '.caffemodel', '.mar',
  // archives and compressed streams
  '.gz', '.tgz', '.zip', '.xz', '.zst', '.bz2', '.7z', '.lz4', '.br', '.jar', '.whl', '.rar',
  // media
  '.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.heic', '.mp3', '.mp4', '.m4a', '.ogg', '.opus', '.flac',
  '.webm', '.mkv', '.mov', '.avi',
]);

/** Bytes of an entry's start deflated by the probe. */
export const PROBE_BYTES = 128 * 1024;
/** The probe must save at least this share of the bytes for `auto` to deflate. */
export const PROBE_MIN_SAVING = 0.02;

/** Lower-case extension of an archive path, with the dot (`''` when none). */
export const extensionOf = (archivePath: string): string => {
  const base = archivePath.slice(archivePath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
};

/** True when `auto` stores this path without looking at the data. */
export const isDenseByName = (archivePath: string): boolean => DENSE_EXTENSIONS.has(extensionOf(archivePath));

/**
 * Decides store vs deflate for `auto` from the first bytes of an entry: deflates up to {@link PROBE_BYTES} at `level`
 * and stores when that saves under {@link PROBE_MIN_SAVING}. Deterministic for the same bytes and level.
 *
 * @example
 * probeMethod(Buffer.from('a'.repeat(4096)), 6); // 'deflate'
 */
export function probeMethod(head: Uint8Array, level: number): EntryMethod {
  if (head.length === 0) return 'store';
  const sample = head.subarray(0, PROBE_BYTES);
  const deflated = deflateRawSync(sample, { level }).length;
  return deflated <= sample.length * (1 - PROBE_MIN_SAVING) ? 'deflate' : 'store';
}
