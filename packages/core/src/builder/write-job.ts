import type { BuildProgress, BuiltEntry } from './build-options.js';
import type { ArchivePlan } from './plan/plan-types.js';

/** Where and what a format writer writes. */
export interface WriteJob {
  plan: ArchivePlan;
  /** Exact bytes of `MAR-INF/MANIFEST.json`. */
  manifestBytes: Buffer;
  /** Temporary path to write (file or folder, not existing yet). */
  temporaryPath: string;
  signal?: AbortSignal;
  progress: ProgressTracker;
  /** @internal ZIP64 threshold override (tests). */
  zip64Limit?: number;
}

/** What a format writer produced. */
export interface WriteOutcome {
  /** Every entry in archive order, manifest included, integrity record excluded. */
  entries: BuiltEntry[];
  /** Size of the output file, or sum of file sizes for a folder. */
  bytesOut: number;
}

/** Reports progress at each entry and about every 64 MiB of input. */
export class ProgressTracker {
  private bytesDone = 0;
  private entriesDone = 0;
  private nextReport = 0;
  private current = '';

  constructor(
    private readonly bytesTotal: number,
    private readonly entriesTotal: number,
    private readonly onProgress?: (progress: BuildProgress) => void,
    private readonly step = 64 * 1024 * 1024,
  ) {}

  /** An entry starts. */
  startEntry(path: string): void {
    this.current = path;
    this.report();
  }

  /** Input bytes consumed. */
  addBytes = (bytes: number): void => {
    this.bytesDone += bytes;
    if (this.bytesDone >= this.nextReport) this.report();
  };

  /** An entry is done. */
  endEntry(): void {
    this.entriesDone += 1;
    this.report();
  }

  private report(): void {
    this.nextReport = this.bytesDone + this.step;
    this.onProgress?.({
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      entriesDone: this.entriesDone,
      entriesTotal: this.entriesTotal,
      currentEntry: this.current,
    });
  }
}
