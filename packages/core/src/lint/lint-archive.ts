import { isModelArchiveError } from '../errors.js';
import type { ModelArchive } from '../read/archive-types.js';
import { createLintContext } from './lint-context.js';
import { ARCHIVE_UNREADABLE_RULE, LINT_RULES } from './lint-rules.js';
import type { LintFinding, LintIssue, LintRule, LintRuleInfo, LintSeverity } from './lint-types.js';

/** Options of {@link lintArchive}. */
export interface LintArchiveOptions {
  /** Rules to run (default {@link LINT_RULES}). */
  rules?: readonly LintRule[];
  /** Recompute every SHA-256 against the integrity record (default false: compare the record with the listing). */
  verify?: boolean;
  /** Loads the archive's handler for real (the CLI passes `@model-archiver/runtime`'s loader for `--load`). */
  loadHandler?: (archivePath: string) => Promise<LintIssue[]>;
  /** Cancels hashing with `ABORTED`. */
  signal?: AbortSignal;
}

/** Findings of one archive. */
export interface ArchiveLintResult {
  /** The archive path (absolute when opened by path). */
  archive: string;
  /** Manifest flavour, when a manifest was read. */
  flavour?: string;
  findings: LintFinding[];
  errorCount: number;
  warningCount: number;
  noteCount: number;
}

/** Reader errors that belong to a specific rule rather than to MA001. */
const RULE_OF_OPEN_ERROR: Readonly<Record<string, string>> = {
  ENTRY_DUPLICATE: 'MA012',
  ENTRY_CASE_COLLISION: 'MA013',
  ENTRY_UNICODE_COLLISION: 'MA013',
};

/** Counts findings by severity. */
export function summarize(archive: string, findings: LintFinding[], flavour?: string): ArchiveLintResult {
  const count = (severity: LintSeverity): number => findings.filter((f) => f.severity === severity).length;
  const result: ArchiveLintResult = {
    archive,
    findings,
    errorCount: count('error'),
    warningCount: count('warning'),
    noteCount: count('note'),
  };
  if (flavour !== undefined) result.flavour = flavour;
  return result;
}

/** A finding for an archive that could not be opened or read (MA001, or the rule the reader error belongs to). */
export function unreadableFinding(archive: string, error: unknown, rules: readonly LintRuleInfo[] = LINT_RULES): LintFinding {
  if (!isModelArchiveError(error)) throw error;
  const ruleId = RULE_OF_OPEN_ERROR[error.code];
  const rule = rules.find((r) => r.id === ruleId) ?? ARCHIVE_UNREADABLE_RULE;
  const entry = typeof error.details['entry'] === 'string' ? error.details['entry'] : undefined;
  const finding: LintFinding = { ruleId: rule.id, rule: rule.name, severity: rule.severity, message: error.message, archive, code: error.code };
  if (entry !== undefined) finding.entry = entry;
  return finding;
}

/**
 * Runs the lint rules on one opened archive. A rule that hits an unreadable entry yields an MA001 finding with the
 * reader's error code; the other rules still run.
 */
export async function lintArchive(archive: ModelArchive, options: LintArchiveOptions = {}): Promise<ArchiveLintResult> {
  const rules = options.rules ?? LINT_RULES;
  const context = await createLintContext(archive, options.verify === true, options.signal);
  const { loadHandler } = options;
  const ctx = loadHandler === undefined ? context : { ...context, load: () => loadHandler(archive.path) };
  const findings: LintFinding[] = [];
  for (const rule of rules) {
    try {
      for (const issue of await rule.check(ctx)) {
        const finding: LintFinding = { ruleId: rule.id, rule: rule.name, severity: rule.severity, message: issue.message, archive: archive.path };
        if (issue.entry !== undefined) finding.entry = issue.entry;
        if (issue.code !== undefined) finding.code = issue.code;
        findings.push(finding);
      }
    } catch (error) {
      if (isModelArchiveError(error) && error.code === 'ABORTED') throw error;
      findings.push(unreadableFinding(archive.path, error, rules));
    }
  }
  return summarize(archive.path, findings, context.manifest?.flavour);
}
