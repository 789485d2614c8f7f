import { readFile } from 'node:fs/promises';

/** How often the worker pool reads the resident memory of its workers when a model has a memory limit. */
export const MEMORY_CHECK_INTERVAL_MS = 1000;

const VM_RSS = /^VmRSS:\s+(\d+)\s+kB$/m;

/**
 * Resident set size of a process in bytes, from `/proc/<pid>/status` (Linux; no native code, no `ps`), or `undefined`
 * when it cannot be read (the process is gone, or the system has no `/proc`).
 */
export const readResidentBytes = async (pid: number): Promise<number | undefined> => {
  try {
    const match = VM_RSS.exec(await readFile(`/proc/${pid}/status`, 'latin1'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
};
