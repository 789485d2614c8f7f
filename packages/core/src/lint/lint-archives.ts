import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';


import { abortedError, isModelArchiveError, ModelArchiveError } from '../errors.js';
import type { ModelArchive, ReadLimits } from '../read/archive-types.js';
import { openArchive } from '../read/open-archive.js';
import { lintArchive, summarize, unreadableFinding } from './lint-archive.js';
import type { ArchiveLintResult, LintArchiveOptions } from './lint-archive.js';
import { LINT_RULE_INFO } from './lint-rules.js';
import type { LintRuleInfo } from './lint-types.js';
import { mapWithConcurrency } from '../map-with-concurrency.js';

/** Options of {@link lintArchives}. */
export interface LintArchivesOptions extends LintArchiveOptions {
  /** Base folder of relative paths and globs (default `process.cwd()`). */
  cwd?: string;
  /** Archives linted at once (default 4). */
  concurrency?: number;
  /** Read limits of the safe reader. */
  limits?: Partial<ReadLimits>;
}

/** Findings of every archive, in the order the inputs named them (a glob's matches sorted). */
export interface LintReport {
  results: ArchiveLintResult[];
  errorCount: number;
  warningCount: number;
  noteCount: number;
  /** Metadata of every rule (for SARIF and docs). */
  rules: readonly LintRuleInfo[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** One thing to lint: an archive path, or an input that matched nothing. */
type LintTarget = { path: string } | { unmatched: string };

/**
 * Expands inputs in order: an existing path (archive file or model folder) is taken as is, anything else is a glob
 * (fast-glob, files only, sorted). Duplicates are dropped; an input that matches nothing is kept as `unmatched`.
 */
async function expandTargets(inputs: readonly string[], cwd: string): Promise<LintTarget[]> {
  const { default: fg } = await import('fast-glob'); // loaded on use: keeps `import` of core cheap
  const targets: LintTarget[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    let found: string[];
    if (await exists(absolute)) found = [absolute];
    else if (fg.isDynamicPattern(input)) found = (await fg(input, { cwd, absolute: true, onlyFiles: true, dot: true })).sort();
    else found = [];
    if (found.length === 0) targets.push({ unmatched: input });
    for (const path of found) {
      if (!seen.has(path)) targets.push({ path });
      seen.add(path);
    }
  }
  return targets;
}

/** Expands paths and globs as {@link lintArchives} does: the archives found, and the inputs that matched nothing. */
export async function expandArchiveInputs(inputs: readonly string[], cwd: string): Promise<{ paths: string[]; unmatched: string[] }> {
  const targets = await expandTargets(inputs, cwd);
  return {
    paths: targets.flatMap((t) => ('path' in t ? [t.path] : [])),
    unmatched: targets.flatMap((t) => ('unmatched' in t ? [t.unmatched] : [])),
  };
}

async function lintPath(path: string, options: LintArchivesOptions): Promise<ArchiveLintResult> {
  let archive: ModelArchive;
  try {
    archive = await openArchive(path, {
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (isModelArchiveError(error) && error.code === 'ABORTED') throw error;
    return summarize(path, [unreadableFinding(path, error, options.rules)]);
  }
  try {
    return await lintArchive(archive, options);
  } catch (error) {
    if (isModelArchiveError(error) && error.code === 'ABORTED') throw error;
    return summarize(path, [unreadableFinding(path, error, options.rules)]);
  } finally {
    await archive.close();
  }
}

/**
 * Lints many archives concurrently: paths and globs, each opened with the safe reader, every rule run, results in
 * input order. Never throws for a bad archive (it becomes findings); throws `ABORTED` when cancelled.
 *
 * @example
 * const report = await lintArchives(['dist/*.mar'], { verify: true });
 * if (report.errorCount > 0) process.exitCode = 1;
 */
export async function lintArchives(inputs: readonly string[], options: LintArchivesOptions = {}): Promise<LintReport> {
  const cwd = options.cwd ?? process.cwd();
  const targets = await expandTargets(inputs, cwd);
  const results = await mapWithConcurrency(targets, options.concurrency ?? 4, async (target) => {
    if (options.signal?.aborted === true) throw abortedError('Lint', options.signal);
    if ('path' in target) return lintPath(target.path, options);
    const error = new ModelArchiveError('ARCHIVE_NOT_FOUND', `No archive matches ${target.unmatched}`, {
      details: { path: resolve(cwd, target.unmatched) },
    });
    return summarize(target.unmatched, [unreadableFinding(target.unmatched, error)]);
  });
  const total = (key: 'errorCount' | 'warningCount' | 'noteCount'): number => results.reduce((sum, r) => sum + r[key], 0);
  return {
    results,
    errorCount: total('errorCount'),
    warningCount: total('warningCount'),
    noteCount: total('noteCount'),
    rules: LINT_RULE_INFO,
  };
}
