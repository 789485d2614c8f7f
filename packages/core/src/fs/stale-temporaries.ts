import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The word every temporary output name carries, so a leftover says where it came from. */
export const TEMPORARY_MARK = 'model-archiver';

/**
 * The name of a temporary sibling of `target`: `<name>.model-archiver-<tag>-<pid>-<8 hex>`. The pid lets a later run
 * tell a leftover of a killed process (`kill -9`, power loss) from the output of one still running.
 */
export const temporaryName = (target: string, tag: string, pid: number, random: string): string =>
  join(dirname(target), `${basename(target)}.${TEMPORARY_MARK}-${tag}-${pid}-${random}`);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when process `pid` exists (ours, or another user's: `EPERM`). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Removes the temporary outputs that dead processes left next to `target`: only names of the exact form
 * `<basename(target)>.model-archiver-(tmp|old)-<pid>-<8 hex>` whose pid is no longer running. Files of live processes
 * (a concurrent run), the target itself and anything else are left alone. Returns the paths removed; never throws
 * (a folder that cannot be listed has nothing to clean).
 */
export async function removeStaleTemporaries(target: string, alive: (pid: number) => boolean = processAlive): Promise<string[]> {
  const pattern = new RegExp(`^${escape(basename(target))}\\.${TEMPORARY_MARK}-(?:tmp|old)-(\\d{1,10})-[0-9a-f]{8}$`);
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid === undefined || alive(Number(pid))) continue;
    const path = join(dirname(target), name);
    // A folder output (`no-archive`) leaves a folder; rm without following links inside it.
    const gone = await rm(path, { recursive: true, force: true }).then(() => true, () => false);
    if (gone) removed.push(path);
  }
  return removed;
}
