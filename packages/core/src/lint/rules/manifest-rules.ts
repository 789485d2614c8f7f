import { MODEL_NAME_PATTERN, MODEL_VERSION_MAX_LENGTH, MODEL_VERSION_PATTERN, findModelNameProblem } from '../../vocabulary/model-names.js';
import type { LintIssue, LintRule } from '../lint-types.js';

const NAME_PATH = 'model.modelName';
const VERSION_PATH = 'model.modelVersion';

/** Files a manifest may name, per field, in the flavours that have them. */
const FILE_FIELDS = ['serializedFile', 'modelFile', 'requirementsFile', 'configFile'] as const;

/** MA002: the archive has a manifest. */
export const manifestMissing: LintRule = {
  id: 'MA002',
  name: 'manifest-missing',
  severity: 'error',
  description: 'The archive has a MAR-INF/MANIFEST.json (or a legacy top-level MANIFEST.json).',
  help: 'Rebuild the archive with model-archiver create; servers cannot register a model without a manifest.',
  check: (ctx) =>
    ctx.manifest === undefined ? [{ message: 'No MAR-INF/MANIFEST.json (nor a legacy MANIFEST.json)', code: 'MANIFEST_MISSING' }] : [],
};

/** MA003: the manifest matches the schema of its flavour. */
export const manifestSchema: LintRule = {
  id: 'MA003',
  name: 'manifest-schema',
  severity: 'error',
  description: "The manifest is valid JSON and matches the schema and rules of its flavour (mms, torchserve, node, legacy-mms).",
  help: 'Fix the fields listed; `model-archiver inspect` shows the manifest and docs/manifest.md each flavour.',
  check: (ctx) => {
    const manifest = ctx.manifest;
    if (manifest === undefined) return [];
    const flavour = manifest.flavour ?? 'unknown';
    return manifest.issues
      .filter((issue) => issue.path !== NAME_PATH && issue.path !== VERSION_PATH)
      .map((issue) => ({
        message: `${flavour} manifest: ${issue.path === '' ? '(document)' : issue.path}: ${issue.message}`,
        entry: manifest.path,
        code: 'MANIFEST_INVALID',
      }));
  },
};

/** MA004: the model name matches the reference archivers' rule. */
export const modelName: LintRule = {
  id: 'MA004',
  name: 'model-name',
  severity: 'error',
  description: `model.modelName matches ${MODEL_NAME_PATTERN.source} (the rule of both reference archivers).`,
  help: 'Rename the model: a letter or digit, then letters, digits, "_", "-" or ".".',
  check: (ctx) =>
    (ctx.manifest?.issues ?? [])
      .filter((issue) => issue.path === NAME_PATH)
      .map((issue) => ({ message: `model.modelName: ${issue.message}`, entry: ctx.manifest?.path, code: 'MODEL_NAME_INVALID' })),
};

/** MA005: the model name is also safe in file names and URLs. */
export const modelNameUnsafe: LintRule = {
  id: 'MA005',
  name: 'model-name-unsafe',
  severity: 'warning',
  description: 'model.modelName has no "..", does not end with "." and is at most 248 characters (accepted by the reference tools, unsafe in file names and URLs).',
  help: 'Rename the model; `model-archiver create` refuses such names.',
  check: (ctx) => {
    const name = ctx.manifest?.model?.['modelName'];
    if (typeof name !== 'string' || ctx.manifest?.issues.some((i) => i.path === NAME_PATH)) return [];
    const problem = findModelNameProblem(name);
    return problem === undefined || problem === 'pattern' || problem === 'empty'
      ? []
      : [{ message: `Model name ${JSON.stringify(name)} is unsafe (${problem})`, entry: ctx.manifest?.path, code: 'MODEL_NAME_INVALID' }];
  },
};

/** MA006: the model version is URL-safe (and present where the flavour requires it). */
export const modelVersion: LintRule = {
  id: 'MA006',
  name: 'model-version',
  severity: 'error',
  description: `model.modelVersion, where present or required (torchserve, node), is URL-path safe: ${MODEL_VERSION_PATTERN.source}, at most ${MODEL_VERSION_MAX_LENGTH} characters.`,
  help: 'Use a version such as 1.0, 2.0.1-rc1 or v3_beta (no "/", spaces or "%").',
  check: (ctx) =>
    (ctx.manifest?.issues ?? [])
      .filter((issue) => issue.path === VERSION_PATH)
      .map((issue) => ({ message: `model.modelVersion: ${issue.message}`, entry: ctx.manifest?.path, code: 'MODEL_VERSION_INVALID' })),
};

/** MA007: files the manifest names exist in the archive. */
export const manifestFiles: LintRule = {
  id: 'MA007',
  name: 'manifest-files',
  severity: 'error',
  description: 'The serialized file, model file, requirements file and config file named by the manifest are entries of the archive.',
  help: 'Add the missing file to the archive, or remove the field from the manifest.',
  check: (ctx) => {
    const model = ctx.manifest?.model;
    if (model === undefined || ctx.manifest?.flavour === 'legacy-mms') return [];
    const issues: LintIssue[] = [];
    for (const field of FILE_FIELDS) {
      const value = model[field];
      if (typeof value !== 'string' || value === '') continue;
      const path = value.replace(/^(\.\/)+/, '');
      if (ctx.archive.entry(path)?.type !== 'file') {
        issues.push({ message: `model.${field} names ${JSON.stringify(value)}, which is not in the archive`, entry: path, code: 'ENTRY_NOT_FOUND' });
      }
    }
    return issues;
  },
};

/** Manifest rules, in id order. */
export const MANIFEST_LINT_RULES: readonly LintRule[] = [manifestMissing, manifestSchema, modelName, modelNameUnsafe, modelVersion, manifestFiles];
