import { isModelArchiveError } from '../../errors.js';
import { parseIntegrityRecordLazily, parseSignatureLazily } from '../../integrity/parse-lazily.js';
import { INTEGRITY_PATH, SIGNATURE_PATH } from '../../integrity/paths.js';
import { checkSignature } from '../../integrity/signature.js';
import { compareListing } from '../../verify/verify-archive.js';
import type { VerifyReport } from '../../verify/verify-archive.js';
import type { LintContext, LintIssue, LintRule } from '../lint-types.js';

/** MA018: the archive carries an integrity record. */
export const integrityMissing: LintRule = {
  id: 'MA018',
  name: 'integrity-missing',
  severity: 'note',
  description: 'The archive carries MAR-INF/integrity.json (SHA-256 and size of every entry). Archives of the reference tools have none.',
  help: 'Rebuild with model-archiver create to get a record; then `model-archiver verify` can detect any change.',
  check: (ctx) =>
    ctx.archive.entry(INTEGRITY_PATH) === undefined
      ? [{ message: 'No integrity record: changes to this archive cannot be detected', code: 'INTEGRITY_MISSING' }]
      : [],
};

const CODE = 'INTEGRITY_MISMATCH';

const differences = (report: Pick<VerifyReport, 'modified' | 'missing' | 'extra'>): LintIssue[] => [
  ...report.modified.map((m) => ({ message: `${m.path} differs from the record (${m.reason})`, entry: m.path, code: CODE })),
  ...report.missing.map((path) => ({ message: `${path} is in the record but not in the archive`, entry: path, code: CODE })),
  ...report.extra.map((path) => ({ message: `${path} is not in the integrity record`, entry: path, code: CODE })),
];

async function recordIssues(ctx: LintContext): Promise<LintIssue[]> {
  if (ctx.deep) {
    const report = await ctx.verify();
    if (report.integrity !== 'mismatch') return [];
    const issues = differences(report);
    return issues.length > 0 ? issues : report.notes.map((message) => ({ message, entry: INTEGRITY_PATH, code: CODE }));
  }
  try {
    return differences(compareListing(ctx.archive, await parseIntegrityRecordLazily(await ctx.readText(INTEGRITY_PATH))));
  } catch (error) {
    if (!isModelArchiveError(error) || error.code !== CODE) throw error;
    return [{ message: error.message, entry: INTEGRITY_PATH, code: CODE }];
  }
}

/** MA019: the integrity record is well formed and matches the entries. */
export const integrityMismatch: LintRule = {
  id: 'MA019',
  name: 'integrity-mismatch',
  severity: 'error',
  description:
    'MAR-INF/integrity.json is well formed and lists exactly the entries with their sizes; with --verify every SHA-256 is recomputed too.',
  help: 'The archive changed after it was built: rebuild it, or find out who modified it (`model-archiver verify` shows what differs).',
  check: (ctx) => (ctx.archive.entry(INTEGRITY_PATH) === undefined ? [] : recordIssues(ctx)),
};

/** MA020: a signature, when present, is well formed and matches the record. */
export const signatureInvalid: LintRule = {
  id: 'MA020',
  name: 'signature-invalid',
  severity: 'error',
  description:
    'MAR-INF/signature.json, when present, is well formed and its Ed25519 signature verifies over the integrity record with the key it names.',
  help: 'Re-sign the archive (model-archiver sign); check who signed it with `model-archiver verify --public-key`.',
  check: async (ctx): Promise<LintIssue[]> => {
    if (ctx.archive.entry(SIGNATURE_PATH) === undefined) return [];
    const invalid = (message: string): LintIssue[] => [{ message, entry: SIGNATURE_PATH, code: 'SIGNATURE_INVALID' }];
    if (ctx.archive.entry(INTEGRITY_PATH) === undefined) return invalid(`Signed, but there is no ${INTEGRITY_PATH} to sign`);
    try {
      const signature = await parseSignatureLazily(await ctx.readText(SIGNATURE_PATH));
      const check = checkSignature(await ctx.archive.readEntry(INTEGRITY_PATH), signature);
      return check.status === 'invalid' ? invalid(`Signature by key ${check.keyId} is invalid: ${check.reason ?? 'bad signature'}`) : [];
    } catch (error) {
      if (!isModelArchiveError(error) || error.code !== 'SIGNATURE_INVALID') throw error;
      return invalid(error.message);
    }
  },
};

/** Integrity rules, in id order. */
export const INTEGRITY_LINT_RULES: readonly LintRule[] = [integrityMissing, integrityMismatch, signatureInvalid];
