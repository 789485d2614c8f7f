import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';

/**
 * Cross-field and semantic rules, checked after (and independently of) the flavour's zod schema so that one parse
 * reports every problem. Per-field constraints that JSON Schema can express (the model-name regex, the version
 * pattern, non-empty handler) live in the schemas instead, so editors using `manifest.schema.json` see them too.
 *
 * Rules receive the raw JSON value and must tolerate any shape: a field of the wrong type is the schema's to report.
 */

/** One problem found by a rule. */
export interface ManifestRuleIssue {
  /** JSON path of the offending value. */
  path: (string | number)[];
  /** Stable id of the rule (reported as the issue `code`). */
  rule: string;
  /** Human-readable explanation. */
  message: string;
}

/** A rule: returns the problems it finds (none when the manifest satisfies it). */
export type ManifestRule = (json: unknown) => ManifestRuleIssue[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const modelOf = (json: unknown): Record<string, unknown> | undefined =>
  isRecord(json) && isRecord(json['model']) ? json['model'] : undefined;

/** Why an archive path is unsafe to resolve against an extraction folder, or `undefined`. */
export function findArchivePathProblem(path: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  if (path.split('/').includes('..')) return 'has a ".." segment';
  return undefined;
}

/** Files named by the manifest (`serializedFile`, `modelFile`, `requirementsFile`, `configFile`) stay inside the archive. */
export const fileReferencesAreSafe: ManifestRule = (json) => {
  const model = modelOf(json);
  if (model === undefined) return [];
  const issues: ManifestRuleIssue[] = [];
  for (const key of ['serializedFile', 'modelFile', 'requirementsFile', 'configFile']) {
    const value = model[key];
    if (typeof value !== 'string') continue;
    const problem = findArchivePathProblem(value);
    if (problem !== undefined) {
      issues.push({ path: ['model', key], rule: 'unsafe_file_reference', message: `File reference ${problem}` });
    }
  }
  return issues;
};

/** `model.handler` is not blank (whitespace only). */
export const handlerIsNotBlank: ManifestRule = (json) => {
  const handler = modelOf(json)?.['handler'];
  return typeof handler === 'string' && handler.length > 0 && handler.trim() === ''
    ? [{ path: ['model', 'handler'], rule: 'blank_handler', message: 'Handler is blank' }]
    : [];
};

/**
 * Node handlers: `module[:function]` where `module` is a built-in name or an archive path that stays inside the
 * archive, and `function`, when a colon is present, is not empty.
 */
export const nodeHandlerIsSafe: ManifestRule = (json) => {
  const handler = modelOf(json)?.['handler'];
  if (typeof handler !== 'string' || handler.trim() === '') return [];
  const colon = handler.indexOf(':');
  const modulePart = colon === -1 ? handler : handler.slice(0, colon);
  const functionPart = colon === -1 ? undefined : handler.slice(colon + 1);
  const issue = (message: string): ManifestRuleIssue[] => [{ path: ['model', 'handler'], rule: 'invalid_handler', message }];
  if (modulePart === '') return issue('Handler has no module before ":"');
  if (functionPart === '') return issue('Handler has an empty function name after ":"');
  const problem = findArchivePathProblem(modulePart);
  return problem === undefined ? [] : issue(`Handler module path ${problem}`);
};

/** The rules applied to each flavour, in order. */
export const MANIFEST_RULES: Readonly<Record<ManifestFlavour, readonly ManifestRule[]>> = {
  mms: [handlerIsNotBlank],
  torchserve: [handlerIsNotBlank, fileReferencesAreSafe],
  node: [handlerIsNotBlank, nodeHandlerIsSafe, fileReferencesAreSafe],
  'legacy-mms': [],
};

/** Runs every rule of `flavour` on `json`. */
export function checkManifestRules(flavour: ManifestFlavour, json: unknown): ManifestRuleIssue[] {
  return MANIFEST_RULES[flavour].flatMap((rule) => rule(json));
}
