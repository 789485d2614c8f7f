import type { BuildResult } from '@model-archiver/core';

import type { CliIo } from '../io.js';
import { displayPath, formatBytes, formatDuration } from './format.js';

/** How `create` prints its result. */
export interface CreateOutputMode {
  /** Print the result as one JSON document on stdout (`{ ok: true, ...result }`). */
  json: boolean;
  /** Print nothing on success. */
  quiet: boolean;
}

/** Describes the container and how its entries were stored, e.g. `zip, 3 deflated + 9 stored`. */
export function describeContainer(result: BuildResult): string {
  const deflated = result.entries.filter((entry) => entry.method === 'deflate').length;
  const stored = result.entries.filter((entry) => entry.method === 'store').length;
  switch (result.format) {
    case 'default':
      return `zip, ${deflated} deflated + ${stored} stored`;
    case 'zip-store':
      return 'zip, stored';
    case 'tgz':
      return 'tar.gz';
    case 'no-archive':
      return 'folder';
  }
}

/**
 * The one-line success summary, e.g. `Created out/x.mar (torchserve flavour: TorchServe-only input: version;
 * zip, 2 deflated + 1 stored) 4 entries, 3.4 MiB -> 3.1 MiB in 0.21 s`.
 */
export function formatCreateSummary(result: BuildResult, cwd: string): string {
  const verb = result.replaced ? 'Replaced' : 'Created';
  const where = displayPath(result.outputPath, cwd);
  const flavour = `${result.flavour} flavour: ${result.flavourReason}`;
  const sizes =
    result.format === 'no-archive'
      ? formatBytes(result.bytesOut)
      : `${formatBytes(result.bytesIn)} -> ${formatBytes(result.bytesOut)}`;
  // `entries` lists everything but the integrity record, which every format also writes: count it as `unzip -l` would.
  const entries = `${result.entries.length + 1} entries`;
  const took = formatDuration(result.durationMs);
  return `${verb} ${where} (${flavour}; ${describeContainer(result)}) ${entries}, ${sizes} in ${took}`;
}

/** Prints the result of a build: JSON, or warnings on stderr and the summary line on stdout, or nothing (quiet). */
export function printCreateResult(result: BuildResult, io: CliIo, mode: CreateOutputMode): void {
  if (mode.json) {
    io.stdout.write(`${JSON.stringify({ ok: true, ...result }, null, 2)}\n`);
    return;
  }
  if (mode.quiet) return;
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
  io.stdout.write(`${formatCreateSummary(result, io.cwd)}\n`);
}
