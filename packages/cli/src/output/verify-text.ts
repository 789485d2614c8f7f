import type { VerifyReport } from '@model-archiver/core';

const SIGNATURE_TEXT: Record<VerifyReport['signature'], string> = {
  absent: 'not signed',
  valid: 'valid (trusted key)',
  invalid: 'INVALID',
  'not-checked': 'present, consistent with the key it carries, not checked against a trusted key (--public-key)',
};

/** Renders a {@link VerifyReport} for people: one verdict line, then what differs and the notes. */
export function renderVerifyText(report: VerifyReport, displayPath: string): string {
  const lines: string[] = [];
  const verdict = report.ok ? (report.integrity === 'missing' ? 'NOTHING TO VERIFY' : 'OK') : 'FAILED';
  lines.push(`${displayPath}: ${verdict}`);
  const integrity =
    report.integrity === 'missing'
      ? 'no integrity record'
      : report.integrity === 'ok'
        ? `ok (${report.checked} entries, SHA-256 and size)`
        : 'MISMATCH';
  lines.push(`  integrity: ${integrity}`);
  if (report.manifest !== 'ok') lines.push(`  manifest: ${report.manifest.toUpperCase()}`);
  lines.push(`  signature: ${SIGNATURE_TEXT[report.signature]}${report.keyId !== undefined ? `, key ${report.keyId}` : ''}`);
  for (const m of report.modified) {
    const actual = m.actual === undefined ? `unreadable (${m.errorCode ?? 'error'})` : `${m.actual.size} bytes, sha256 ${m.actual.sha256}`;
    lines.push(`  modified: ${m.path}: expected ${m.expected.size} bytes, sha256 ${m.expected.sha256}; got ${actual}`);
  }
  for (const path of report.missing) lines.push(`  missing:  ${path}`);
  for (const path of report.extra) lines.push(`  extra:    ${path}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  if (report.failures.length > 0) lines.push(`  failed: ${report.failures.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
