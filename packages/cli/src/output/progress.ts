import type { BuildProgress } from '@model-archiver/core';

import { formatBytes } from './format.js';

/** Inputs at or below this size build fast enough that a bar would only flicker. */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
/** Width used when the terminal reports none, or 0 (some CI terminals and `script` sessions). */
export const FALLBACK_COLUMNS = 80;

/** Where progress is written (stderr). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * `bar`: one line redrawn in place with carriage returns (a terminal). `lines`: a plain line now and then, for logs
 * (stderr is not a terminal, or `CI` is set) where carriage returns would pile up.
 */
export type ProgressMode = 'bar' | 'lines';

/** Options of {@link createProgressBar}. */
export interface ProgressBarOptions {
  /** How to draw (default `bar`); {@link progressModeFor} picks it from the stream and the environment. */
  mode?: ProgressMode;
  /** Minimum time between two draws, in milliseconds (default 100 for `bar`, 5000 for `lines`). */
  intervalMs?: number;
  /** Inputs up to this many bytes draw nothing (default {@link PROGRESS_MIN_BYTES}). */
  minBytes?: number;
  /** Clock, for tests (default `Date.now`). */
  now?: () => number;
}

/** A throttled progress display. */
export interface ProgressBar {
  /** Pass as `BuildOptions.onProgress`. */
  update(progress: BuildProgress): void;
  /** Erases the bar if it was drawn (nothing to erase in `lines` mode); call once the build ends. */
  clear(): void;
}

/** Speed and time left, when enough time has passed to measure them. */
export interface ProgressRate {
  bytesPerSecond: number;
  /** Seconds left at the current average speed. */
  etaSeconds: number;
}

const BAR_WIDTH = 24;

/** `m:ss`, or `h:mm:ss` from an hour. */
export function formatEta(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `lines` when stderr is not a terminal or a CI system says so (`CI` set to anything but `false`/`0`); else `bar`. */
export function progressModeFor(stream: ProgressStream, env: Readonly<Record<string, string | undefined>>): ProgressMode {
  const ci = env['CI'];
  const underCi = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
  return stream.isTTY === true && !underCi ? 'bar' : 'lines';
}

/** The usable width: the terminal's, or {@link FALLBACK_COLUMNS} when it reports none or 0. */
export const usableColumns = (columns: number | undefined): number =>
  columns !== undefined && Number.isFinite(columns) && columns > 0 ? columns : FALLBACK_COLUMNS;

/** The progress text: bar, percentage, sizes, speed and ETA (when known), entries, current entry. */
function describe(progress: BuildProgress, rate: ProgressRate | undefined, withBar: boolean): string {
  const fraction = progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const sizes = `${formatBytes(progress.bytesDone)}/${formatBytes(progress.bytesTotal)}`;
  const speed = rate === undefined ? '' : ` ${formatBytes(rate.bytesPerSecond)}/s ETA ${formatEta(rate.etaSeconds)}`;
  return `${bar}${percent} ${sizes}${speed} ${progress.entriesDone}/${progress.entriesTotal} ${progress.currentEntry}`;
}

/** One line of the bar, cut to fit `columns` (80 when the terminal reports 0 or nothing). */
export function renderProgressLine(progress: BuildProgress, columns: number | undefined, rate?: ProgressRate): string {
  const width = usableColumns(columns);
  const line = describe(progress, rate, true);
  return line.length < width ? line : line.slice(0, width - 1);
}

/** One plain log line (no carriage return, no escape codes, never cut). */
export function renderProgressLogLine(progress: BuildProgress, rate?: ProgressRate): string {
  return `progress: ${describe(progress, rate, false).trimStart()}`;
}

/**
 * Progress on `stream` for inputs over {@link PROGRESS_MIN_BYTES}: a bar redrawn in place at most every 100 ms, or
 * (mode `lines`) a plain line every 5 s and at the end. Speed is the average since the first update. The caller
 * decides whether to show progress at all (not --quiet/--json/--no-progress).
 */
export function createProgressBar(stream: ProgressStream, options: ProgressBarOptions = {}): ProgressBar {
  const mode = options.mode ?? 'bar';
  const intervalMs = options.intervalMs ?? (mode === 'bar' ? 100 : 5000);
  const minBytes = options.minBytes ?? PROGRESS_MIN_BYTES;
  const now = options.now ?? Date.now;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let start: { time: number; bytes: number } | undefined;
  const rateOf = (progress: BuildProgress, time: number): ProgressRate | undefined => {
    if (start === undefined) return undefined;
    const seconds = (time - start.time) / 1000;
    const bytes = progress.bytesDone - start.bytes;
    if (seconds < 0.5 || bytes <= 0) return undefined;
    const bytesPerSecond = bytes / seconds;
    return { bytesPerSecond, etaSeconds: Math.max(0, progress.bytesTotal - progress.bytesDone) / bytesPerSecond };
  };
  return {
    update(progress) {
      if (progress.bytesTotal <= minBytes) return;
      const time = now();
      start ??= { time, bytes: progress.bytesDone };
      const finished = progress.bytesDone >= progress.bytesTotal;
      if (!finished && time - lastDraw < intervalMs) return;
      lastDraw = time;
      const rate = rateOf(progress, time);
      if (mode === 'lines') {
        stream.write(`${renderProgressLogLine(progress, rate)}\n`);
        return;
      }
      drawn = true;
      stream.write(`\r${renderProgressLine(progress, stream.columns, rate)}\u001b[K`);
    },
    clear() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
