import { describe, expect, it } from 'vitest';

import {
  createProgressBar,
  FALLBACK_COLUMNS,
  formatEta,
  PROGRESS_MIN_BYTES,
  progressModeFor,
  renderProgressLine,
} from '../../src/output/progress.js';

const MiB = 1024 * 1024;
const progress = (bytesDone: number, bytesTotal = 100 * MiB) => ({
  bytesDone,
  bytesTotal,
  entriesDone: 1,
  entriesTotal: 3,
  currentEntry: 'model.onnx',
});

function fakeStream(columns = 80) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (chunk: string) => writes.push(chunk) } };
}

describe('renderProgressLine', () => {
  it('shows the bar, percentage, sizes, entry count and current entry', () => {
    const line = renderProgressLine(progress(50 * MiB), 200);
    expect(line).toContain('[############............]');
    expect(line).toContain(' 50%');
    expect(line).toContain('50.0 MiB/100.0 MiB');
    expect(line).toContain('1/3 model.onnx');
  });

  it('never exceeds the terminal width', () => {
    const long = { ...progress(1), currentEntry: 'x'.repeat(500) };
    expect(renderProgressLine(long, 60).length).toBeLessThan(60);
  });

  it('falls back to 80 columns when the terminal reports a width of 0 or none', () => {
    const long = { ...progress(1), currentEntry: 'x'.repeat(500) };
    expect(renderProgressLine(long, 0).length).toBe(FALLBACK_COLUMNS - 1);
    expect(renderProgressLine(long, undefined).length).toBe(FALLBACK_COLUMNS - 1);
    expect(renderProgressLine(progress(1), 0)).toContain('model.onnx');
  });

  it('shows the speed and the time left when known', () => {
    const line = renderProgressLine(progress(50 * MiB), 200, { bytesPerSecond: 10 * MiB, etaSeconds: 5 });
    expect(line).toContain('10.0 MiB/s ETA 0:05');
    expect(formatEta(3725)).toBe('1:02:05');
  });
});

describe('progressModeFor', () => {
  it('draws a bar on a terminal, plain lines when stderr is not one or under CI', () => {
    expect(progressModeFor({ isTTY: true, write: () => true }, {})).toBe('bar');
    expect(progressModeFor({ isTTY: false, write: () => true }, {})).toBe('lines');
    expect(progressModeFor({ isTTY: true, write: () => true }, { CI: 'true' })).toBe('lines');
    expect(progressModeFor({ isTTY: true, write: () => true }, { CI: 'false' })).toBe('bar');
  });
});

describe('createProgressBar', () => {
  it('draws nothing for inputs up to 64 MiB', () => {
    const { writes, stream } = fakeStream();
    const bar = createProgressBar(stream);
    bar.update(progress(1, PROGRESS_MIN_BYTES));
    bar.clear();
    expect(writes).toEqual([]);
  });

  it('redraws at most once per interval but always draws completion, then clears the line', () => {
    const { writes, stream } = fakeStream();
    let time = 0;
    const bar = createProgressBar(stream, { intervalMs: 100, now: () => time });
    bar.update(progress(1 * MiB));
    time = 50;
    bar.update(progress(2 * MiB));
    time = 150;
    bar.update(progress(3 * MiB));
    time = 160;
    bar.update(progress(100 * MiB));
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => w.startsWith('\r'))).toBe(true);
    bar.clear();
    expect(writes.at(-1)).toBe('\r\u001b[K');
    bar.clear();
    expect(writes).toHaveLength(4);
  });

  it('draws with a width of 0 reported by the terminal (80 columns used)', () => {
    const { writes, stream } = fakeStream(0);
    const bar = createProgressBar(stream);
    bar.update(progress(1 * MiB));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toContain('model.onnx');
  });

  it('measures the average speed since the first update and the ETA from it', () => {
    const { writes, stream } = fakeStream(200);
    let time = 0;
    const bar = createProgressBar(stream, { now: () => time });
    bar.update(progress(0));
    time = 2000;
    bar.update(progress(20 * MiB)); // 10 MiB/s, 80 MiB left: 8 s
    expect(writes.at(-1)).toContain('10.0 MiB/s ETA 0:08');
  });

  it('in lines mode writes plain periodic lines (no carriage return or escape codes) and the last one', () => {
    const writes: string[] = [];
    let time = 0;
    const bar = createProgressBar({ isTTY: false, columns: 0, write: (c: string) => writes.push(c) }, { mode: 'lines', now: () => time });
    bar.update(progress(1 * MiB));
    time = 1000;
    bar.update(progress(10 * MiB));
    time = 6000;
    bar.update(progress(60 * MiB));
    time = 6500;
    bar.update(progress(100 * MiB));
    bar.clear();
    expect(writes).toHaveLength(3);
    expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r') && !w.includes('\u001b'))).toBe(true);
    expect(writes.at(-1)).toContain('100%');
    expect(writes.at(-1)).toMatch(/ETA 0:00/);
  });
});
