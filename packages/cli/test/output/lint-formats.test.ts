import { LINT_RULE_INFO } from '@model-archiver/core';
import type { LintReport } from '@model-archiver/core';
import { describe, expect, it } from 'vitest';

import { lintFailed, renderLintGithub, renderLintJson, renderLintSarif, renderLintText } from '../../src/output/lint-formats.js';

const cwd = '/repo';
const report: LintReport = {
  results: [
    {
      archive: '/repo/dist/a,b.mar',
      flavour: 'node',
      findings: [
        { ruleId: 'MA010', rule: 'node-handler-export', severity: 'error', message: 'line one\nline two: 100%', archive: '/repo/dist/a,b.mar', entry: 'handler.mjs', code: 'HANDLER_FUNCTION_NOT_FOUND' },
        { ruleId: 'MA016', rule: 'deflated-for-nothing', severity: 'warning', message: 'w.bin deflated', archive: '/repo/dist/a,b.mar', entry: 'w.bin' },
      ],
      errorCount: 1,
      warningCount: 1,
      noteCount: 0,
    },
    { archive: '/elsewhere/x.mar', findings: [{ ruleId: 'MA018', rule: 'integrity-missing', severity: 'note', message: 'no record', archive: '/elsewhere/x.mar' }], errorCount: 0, warningCount: 0, noteCount: 1 },
  ],
  errorCount: 1,
  warningCount: 1,
  noteCount: 1,
  rules: LINT_RULE_INFO,
};

describe('lint output formats', () => {
  it('fails on errors, and on warnings only past the limit', () => {
    expect(lintFailed(report, undefined)).toBe(true);
    const warningsOnly = { ...report, errorCount: 0 };
    expect(lintFailed(warningsOnly, undefined)).toBe(false);
    expect(lintFailed(warningsOnly, 1)).toBe(false);
    expect(lintFailed(warningsOnly, 0)).toBe(true);
  });

  it('escapes GitHub workflow command data and properties', () => {
    const lines = renderLintGithub(report, { cwd, maxWarnings: undefined }).trim().split('\n');
    expect(lines).toEqual([
      '::error file=dist/a%2Cb.mar,title=MA010::node-handler-export: handler.mjs: line one%0Aline two: 100%25',
      '::warning file=dist/a%2Cb.mar,title=MA016::deflated-for-nothing: w.bin: w.bin deflated',
      '::notice file=/elsewhere/x.mar,title=MA018::integrity-missing: no record',
    ]);
  });

  it('writes SARIF 2.1.0 with every rule, levels, relative or file:// URIs and the entry as a logical location', () => {
    const sarif = JSON.parse(renderLintSarif(report, { cwd, maxWarnings: undefined })) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<Record<string, unknown>> }>;
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(LINT_RULE_INFO.map((r) => r.id));
    expect(run.results[0]).toMatchObject({
      ruleId: 'MA010',
      ruleIndex: LINT_RULE_INFO.findIndex((r) => r.id === 'MA010'),
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'dist/a,b.mar' } }, logicalLocations: [{ name: 'handler.mjs' }] }],
    });
    expect(run.results[2]).toMatchObject({ level: 'note', locations: [{ physicalLocation: { artifactLocation: { uri: 'file:///elsewhere/x.mar' } } }] });
  });

  it('prints text and JSON with totals and the verdict', () => {
    const text = renderLintText(report, { cwd, maxWarnings: 0 });
    expect(text).toContain('dist/a,b.mar (node): FAIL');
    expect(text).toContain('1 error, 1 warning, 1 note in 2 archives (max warnings 0)');
    expect(JSON.parse(renderLintJson(report, { cwd, maxWarnings: 0 }))).toMatchObject({ ok: false, maxWarnings: 0, errorCount: 1 });
  });
});
