import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import fg from 'fast-glob';

import { isModelArchiveError, ModelArchiveError } from '../errors.js';
import type { ModelArchive, ReadLimits } from '../read/archive-types.js';
import { openArchive } from '../read/open-archive.js';
import { lintArchive, summarize, unreadableFinding } from './lint-archive.js';
import type { ArchiveLintResult, LintArchiveOptions } from './lint-archive.js';
import { LINT_RULE_INFO } from './lint-rules.js';
import type { LintRuleInfo } from './lint-types.js';
import { mapWithConcurrency } from './pool.js';

/** Options of {@link lintArchives}. */
export interface LintArchivesOptions extends LintArchiveOptions {
  /** Base folder of relative paths and globs (default `process.cwd()`). */
  cwd?: string;
  /** Archives linted at once (default 4). */
  concurrency?: number;
  /** Read limits of the safe reader. */
  limits?: Partial<ReadLimits>;
}

/** Findings of every archive, in the order the inputs named them. */
export interface LintReport {
  results: ArchiveLintResult[];
  errorCount: number;
  warningCount: number;
  noteCount: number;
  /** Metadata of every rule (for SARIF and docs). */
  rules: readonly LintRuleInfo[];
}

const isGlob = (input: string): boolean => fg.isDynamicPattern(input);

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Expands inputs: an existing path (archive file or model folder) is taken as is, anything else is a glob
 * (fast-glob, files only). A glob that matches nothing, or a missing path, is reported as `ARCHIVE_NOT_FOUND`.
 */
export async function expandArchiveInputs(inputs: readonly string[], cwd: string): Promise<{ paths: string[]; unmatched: string[] }> {
  const paths: string[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const absolute = resolve(cwd, input);
    let found: string[];
    if (await exists(absolute)) found = [absolute];
    else if (isGlob(input)) found = (await fg(input, { cwd, absolute: true, onlyFiles: true, dot: true })).sort();
    else found = [];
    if (found.length === 0) unmatched.push(input);
    for (const path of found) {
      if (!seen.has(path)) paths.push(path);
      seen.add(path);
    }
  }
  return { paths, unmatched };
}

async function lintPath(path: string, options: LintArchivesOptions): Promise<ArchiveLintResult> {
  let archive: ModelArchive;
  try {
    archive = await openArchive(path, options.limits === undefined ? {} : { limits: options.limits });
  } catch (error) {
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
  const { paths, unmatched } = await expandArchiveInputs(inputs, cwd);
  const missing = unmatched.map((input) =>
    summarize(input, [
      unreadableFinding(
        input,
        new ModelArchiveError('ARCHIVE_NOT_FOUND', `No archive matches ${input}`, { details: { path: resolve(cwd, input) } }),
      ),
    ]),
  );
  const linted = await mapWithConcurrency(paths, options.concurrency ?? 4, (path) => {
    if (options.signal?.aborted) throw new ModelArchiveError('ABORTED', 'Lint was cancelled');
    return lintPath(path, options);
  });
  const results = [...missing, ...linted];
  const total = (key: 'errorCount' | 'warningCount' | 'noteCount'): number => results.reduce((sum, r) => sum + r[key], 0);
  return {
    results,
    errorCount: total('errorCount'),
    warningCount: total('warningCount'),
    noteCount: total('noteCount'),
    rules: LINT_RULE_INFO,
  };
}
