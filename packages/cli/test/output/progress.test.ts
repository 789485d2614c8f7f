import { describe, expect, it } from 'vitest';

import { createProgressBar, PROGRESS_MIN_BYTES, renderProgressLine } from '../../src/output/progress.js';

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
});
