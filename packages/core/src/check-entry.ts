/**
 * @packageDocumentation
 * `@model-archiver/core/check`: the archive checks (inspect, verify, lint) for consumers that start often and check
 * archives, the CLI's `inspect`, `verify` and `lint` first of all. Like `@model-archiver/core/read` it loads no schema
 * library up front, and a valid archive is checked without one: manifests, integrity records and signatures are parsed
 * by `json-check/`, and zod is imported only to explain a document that is not valid. Everything here is also exported
 * by the package's main entry point.
 */

export { inspectArchive, inspectOnnxModels } from './inspect/inspect-archive.js';
export type { InspectOptions, InspectProblem, InspectReport, InspectedEntry, InspectedOnnxModel } from './inspect/inspect-archive.js';
export { buildFileTree } from './inspect/file-tree.js';
export type { FileTreeNode, SizedPath } from './inspect/file-tree.js';
export { verifyArchive, verificationError, compareListing } from './verify/verify-archive.js';
export type { ModifiedEntry, VerifyFailure, VerifyOptions, VerifyReport } from './verify/verify-archive.js';
export type { ArchiveSource } from './verify/with-archive.js';
export { lintArchive } from './lint/lint-archive.js';
export type { ArchiveLintResult, LintArchiveOptions } from './lint/lint-archive.js';
export { expandArchiveInputs, lintArchives } from './lint/lint-archives.js';
export type { LintArchivesOptions, LintReport } from './lint/lint-archives.js';
export { ARCHIVE_UNREADABLE_RULE, LINT_RULES, LINT_RULE_INFO } from './lint/lint-rules.js';
export type { LintContext, LintFinding, LintIssue, LintManifest, LintRule, LintRuleInfo, LintSeverity } from './lint/lint-types.js';
