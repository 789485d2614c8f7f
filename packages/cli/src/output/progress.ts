import type { BuildProgress } from '@model-archiver/core';

import { formatBytes } from './format.js';

/** Inputs at or below this size build fast enough that a bar would only flicker. */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

/** Where the bar is drawn: a TTY stream (its width is used when known). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** Minimum time between two redraws, in milliseconds (default 100). */
  intervalMs?: number;
  /** Inputs up to this many bytes draw nothing (default {@link PROGRESS_MIN_BYTES}). */
  minBytes?: number;
  /** Clock, for tests (default `Date.now`). */
  now?: () => number;
}

/** A throttled one-line progress bar. */
export interface ProgressBar {
  /** Pass as `BuildOptions.onProgress`. */
  update(progress: BuildProgress): void;
  /** Erases the bar if it was drawn; call once the build ends (success or failure). */
  clear(): void;
}

const BAR_WIDTH = 24;

/** One line of the bar, cut to `columns` characters. */
export function renderProgressLine(progress: BuildProgress, columns: number): string {
  const fraction = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const sizes = `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}`;
  const line = `${bar} ${percent} ${sizes} ${progress.entriesDone}/${progress.entriesTotal} ${progress.currentEntry}`;
  return line.length < columns ? line : line.slice(0, Math.max(0, columns - 1));
}

/**
 * A progress bar drawn on `stream` with carriage returns, throttled to one redraw per interval, shown only for
 * inputs over {@link PROGRESS_MIN_BYTES}. The caller decides whether to create one at all (TTY, not --quiet/--json).
 */
export function createProgressBar(stream: ProgressStream, options: ProgressBarOptions = {}): ProgressBar {
  const intervalMs = options.intervalMs ?? 100;
  const minBytes = options.minBytes ?? PROGRESS_MIN_BYTES;
  const now = options.now ?? Date.now;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(progress) {
      if (progress.bytesTotal <= minBytes) return;
      const time = now();
      const finished = progress.bytesDone >= progress.bytesTotal;
      if (!finished && time - lastDraw < intervalMs) return;
      lastDraw = time;
      drawn = true;
      stream.write(`\r${renderProgressLine(progress, stream.columns ?? 80)}\u001b[K`);
    },
    clear() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
