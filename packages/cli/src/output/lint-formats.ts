import { sep } from 'node:path';

import type { LintFinding, LintReport, LintSeverity } from '@model-archiver/core';

import { displayPath } from './format.js';
import { VERSION } from '../version.js';

/** Output formats of `lint`. */
export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** How a report is judged and where paths are shown from. */
export interface LintRenderOptions {
  cwd: string;
  /** Warnings allowed before the run fails (`--max-warnings`); `undefined` = unlimited. */
  maxWarnings: number | undefined;
}

/** True when the report fails the run: any error, or more warnings than allowed. */
export function lintFailed(report: LintReport, maxWarnings: number | undefined): boolean {
  return report.errorCount > 0 || (maxWarnings !== undefined && report.warningCount > maxWarnings);
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Text for people: findings grouped by archive, then a summary line. */
export function renderLintText(report: LintReport, options: LintRenderOptions): string {
  const lines: string[] = [];
  for (const result of report.results) {
    const flavour = result.flavour === undefined ? '' : ` (${result.flavour})`;
    const status = result.errorCount > 0 ? 'FAIL' : result.warningCount > 0 ? 'WARN' : 'ok';
    lines.push(`${displayPath(result.archive, options.cwd)}${flavour}: ${status}`);
    for (const f of result.findings) {
      const entry = f.entry === undefined ? '' : ` [${f.entry}]`;
      const code = f.code === undefined ? '' : ` (${f.code})`;
      lines.push(`  ${f.severity.padEnd(7)} ${f.ruleId} ${f.rule}: ${f.message}${entry}${code}`);
    }
  }
  const summary = `${plural(report.errorCount, 'error')}, ${plural(report.warningCount, 'warning')}, ${plural(report.noteCount, 'note')} in ${plural(report.results.length, 'archive')}`;
  const limit = options.maxWarnings === undefined ? '' : ` (max warnings ${options.maxWarnings})`;
  lines.push('', `${summary}${limit}`);
  return `${lines.join('\n')}\n`;
}

/** JSON for machines: totals, verdict and every finding. */
export function renderLintJson(report: LintReport, options: LintRenderOptions): string {
  const { rules: _rules, ...rest } = report;
  return `${JSON.stringify({ ok: !lintFailed(report, options.maxWarnings), maxWarnings: options.maxWarnings ?? null, ...rest }, null, 2)}\n`;
}

const toUri = (archive: string, cwd: string): string => {
  const shown = displayPath(archive, cwd).split(sep).join('/');
  return shown.startsWith('/') ? `file://${encodeURI(shown)}` : encodeURI(shown);
};

const sarifLevel = (severity: LintSeverity): string => severity;

/**
 * SARIF 2.1.0 for code scanning (github/codeql-action/upload-sarif): one run, the rules in `tool.driver.rules`,
 * each finding located at its archive file (repository-relative when under `cwd`) with the entry as a logical location.
 */
export function renderLintSarif(report: LintReport, options: LintRenderOptions): string {
  const ruleIndex = new Map(report.rules.map((rule, index) => [rule.id, index]));
  const results = report.results.flatMap((result) =>
    result.findings.map((f: LintFinding) => {
      const location: Record<string, unknown> = {
        physicalLocation: { artifactLocation: { uri: toUri(f.archive, options.cwd) }, region: { startLine: 1 } },
      };
      if (f.entry !== undefined) {
        location['logicalLocations'] = [{ name: f.entry, fullyQualifiedName: `${displayPath(f.archive, options.cwd)}!/${f.entry}`, kind: 'member' }];
      }
      return {
        ruleId: f.ruleId,
        ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
        level: sarifLevel(f.severity),
        message: { text: f.entry === undefined ? f.message : `${f.message} (${f.entry})` },
        locations: [location],
        ...(f.code === undefined ? {} : { properties: { code: f.code } }),
      };
    }),
  );
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'model-archiver',
            version: VERSION,
            informationUri: 'https://github.com/model-archiver/model-archiver/blob/main/docs/lint-rules.md',
            rules: report.rules.map((rule) => ({
              id: rule.id,
              name: rule.name,
              shortDescription: { text: rule.description },
              fullDescription: { text: rule.description },
              help: { text: rule.help, markdown: `${rule.help}\n\nSee docs/lint-rules.md#${rule.id.toLowerCase()}-${rule.name}.` },
              defaultConfiguration: { level: sarifLevel(rule.severity) },
            })),
          },
        },
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

const escapeData = (text: string): string => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string): string => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
const COMMAND: Record<LintSeverity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** GitHub Actions workflow commands: `::error file=<archive>,title=<id>::<message>` per finding. */
export function renderLintGithub(report: LintReport, options: LintRenderOptions): string {
  const lines = report.results.flatMap((result) =>
    result.findings.map((f) => {
      const file = escapeProperty(displayPath(f.archive, options.cwd).split(sep).join('/'));
      const title = escapeProperty(f.ruleId);
      const message = escapeData(`${f.rule}: ${f.entry === undefined ? '' : `${f.entry}: `}${f.message}`);
      return `::${COMMAND[f.severity]} file=${file},title=${title}::${message}`;
    }),
  );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Renders a report in the chosen format. */
export function renderLint(format: LintFormat, report: LintReport, options: LintRenderOptions): string {
  switch (format) {
    case 'json':
      return renderLintJson(report, options);
    case 'sarif':
      return renderLintSarif(report, options);
    case 'github':
      return renderLintGithub(report, options);
    default:
      return renderLintText(report, options);
  }
}
