import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import type { ManifestIssue } from '../manifest/parse.js';
import type { InspectedOnnxModel } from '../inspect/inspect-archive.js';
import type { ModelArchive } from '../read/archive-types.js';
import type { VerifyReport } from '../verify/verify-archive.js';
import type { HandlerTarget } from './handler-target.js';

/** How serious a finding is: errors fail `lint`, warnings fail it past `maxWarnings`, notes never do. */
export type LintSeverity = 'error' | 'warning' | 'note';

/** One problem a rule found. */
export interface LintFinding {
  /** Stable rule id (`MA001`...), documented in docs/lint-rules.md. */
  ruleId: string;
  /** Short rule name (`manifest-schema`). */
  rule: string;
  severity: LintSeverity;
  message: string;
  /** The archive it is about, as given to `lintArchives` (absolute when opened by path). */
  archive: string;
  /** The entry it is about, when there is one. */
  entry?: string;
  /** The underlying error code, when the finding wraps one. */
  code?: string;
}

/** What a rule's `check` returns: messages, optionally tied to an entry. Severity and ids come from the rule. */
export interface LintIssue {
  message: string;
  entry?: string;
  code?: string;
}

/** The manifest as lint sees it: parsed JSON even when the schema refuses it, so every rule can still run. */
export interface LintManifest {
  /** Archive path it was read from (`MAR-INF/MANIFEST.json` or legacy `MANIFEST.json`). */
  path: string;
  /** Detected flavour (`undefined` when the text is not JSON). */
  flavour: ManifestFlavour | undefined;
  /** The parsed JSON value (`undefined` when not JSON). */
  json: unknown;
  /** Schema and rule problems of its flavour (empty when valid). */
  issues: ManifestIssue[];
  /** `json.model` when it is an object. */
  model: Record<string, unknown> | undefined;
  /** `json.runtime` when it is a string. */
  runtime: string | undefined;
}

/** What rules see. Expensive facts (integrity verification, handler target) are computed once and shared. */
export interface LintContext {
  readonly archive: ModelArchive;
  /** The manifest; `undefined` when the archive has none. */
  readonly manifest: LintManifest | undefined;
  /** Recompute every entry's SHA-256 (`--verify`) instead of comparing the record with the listing. */
  readonly deep: boolean;
  /** Hashes every entry against the integrity record (`verifyArchive`, cached): only used when `deep` is set. */
  verify(): Promise<VerifyReport>;
  /** Where the manifest's handler lives in this archive (cached). */
  handler(): HandlerTarget | undefined;
  /** Metadata of every `.onnx` entry (cached). */
  onnxModels(): Promise<InspectedOnnxModel[]>;
  /** Loads the handler for real (`lintArchives` option `loadHandler`, CLI `--load`); absent when not asked for. */
  load?: () => Promise<LintIssue[]>;
  /** Reads a small entry as UTF-8 (cached). */
  readText(path: string): Promise<string>;
}

/** What documents a rule: a stable id, a fixed severity, a description and help. */
export interface LintRuleInfo {
  /** `MA` + 3 digits; never renumbered. */
  id: string;
  /** kebab-case name. */
  name: string;
  severity: LintSeverity;
  /** One sentence: what it checks. */
  description: string;
  /** How to fix it. */
  help: string;
}

/** A lint rule: its metadata and a check. */
export interface LintRule extends LintRuleInfo {
  check(context: LintContext): Promise<LintIssue[]> | LintIssue[];
}
