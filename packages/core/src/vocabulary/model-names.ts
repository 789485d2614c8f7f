import { ModelArchiveError } from '../errors.js';

/**
 * The model-name rule of both reference archivers (`re.match` in MMS and TorchServe `model_packaging_utils.py`):
 * a letter or digit, then letters, digits, `_`, `-` and `.`.
 */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_\-.]*$/;

/**
 * Longest model name accepted when creating an archive: 255 (the file-name limit of ext4, APFS, NTFS) minus the
 * longest output suffix `.tar.gz`, so `<name>.mar`, `<name>.tar.gz` and the `<name>` folder can always be created.
 */
export const MODEL_NAME_MAX_LENGTH = 248;

/**
 * Model versions: a letter or digit, then characters that need no escaping in a URL path segment
 * (RFC 3986 unreserved characters plus `+`): letters, digits, `.`, `_`, `-`, `~`, `+`.
 * No `/`, whitespace, `%`, `?` or `#`, so `/predictions/{name}/{version}` always routes as intended.
 */
export const MODEL_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~+-]*$/;

/** Longest model version accepted (in characters; the pattern allows ASCII only). */
export const MODEL_VERSION_MAX_LENGTH = 128;

/** Why a model name is refused. */
export type ModelNameProblem = 'empty' | 'pattern' | 'too-long' | 'dot-dot' | 'trailing-dot';

/** Why a model version is refused. */
export type ModelVersionProblem = 'empty' | 'pattern' | 'too-long';

/**
 * The first reason a model name is refused when creating an archive, or `undefined` when it is fine.
 * Stricter than the reference regex: names also end up in file names and URLs (`/predictions/{name}`), so `a..b`
 * and `a.` (accepted by the reference tools, anchors §9 item 18) and names over {@link MODEL_NAME_MAX_LENGTH} are refused.
 */
export function findModelNameProblem(name: string): ModelNameProblem | undefined {
  if (name.length === 0) return 'empty';
  if (!MODEL_NAME_PATTERN.test(name)) return 'pattern';
  if (name.length > MODEL_NAME_MAX_LENGTH) return 'too-long';
  if (name.includes('..')) return 'dot-dot';
  if (name.endsWith('.')) return 'trailing-dot';
  return undefined;
}

/** The first reason a model version is refused, or `undefined` when it is fine. */
export function findModelVersionProblem(version: string): ModelVersionProblem | undefined {
  if (version.length === 0) return 'empty';
  if (!MODEL_VERSION_PATTERN.test(version)) return 'pattern';
  if (version.length > MODEL_VERSION_MAX_LENGTH) return 'too-long';
  return undefined;
}

const NAME_MESSAGES: Record<ModelNameProblem, string> = {
  empty: 'Model name is empty.',
  pattern: `Model name contains special characters. Allowed: ${MODEL_NAME_PATTERN.source}`,
  'too-long': `Model name is longer than ${MODEL_NAME_MAX_LENGTH} characters.`,
  'dot-dot': 'Model name contains "..", which is unsafe in file names and URLs.',
  'trailing-dot': 'Model name ends with ".", which some file systems drop.',
};

const VERSION_MESSAGES: Record<ModelVersionProblem, string> = {
  empty: 'Model version is empty.',
  pattern:
    'Model version must start with a letter or digit and contain only letters, digits, ".", "_", "-", "~" or "+" ' +
    '(no "/", whitespace or other characters that are unsafe in a URL path).',
  'too-long': `Model version is longer than ${MODEL_VERSION_MAX_LENGTH} characters.`,
};

/**
 * Throws `MODEL_NAME_INVALID` unless `name` is a valid model name for a new archive
 * (details: `{ name, reason }` with reason a {@link ModelNameProblem}).
 *
 * @example
 * validateModelName('resnet-18'); // ok
 * validateModelName('a..b'); // throws MODEL_NAME_INVALID (reason 'dot-dot')
 */
export function validateModelName(name: string): void {
  const reason = findModelNameProblem(name);
  if (reason !== undefined) {
    throw new ModelArchiveError('MODEL_NAME_INVALID', `${NAME_MESSAGES[reason]} Got: ${JSON.stringify(name)}`, {
      details: { name, reason },
    });
  }
}

/**
 * Throws `MODEL_VERSION_INVALID` unless `version` is a valid model version (e.g. `1.0`, `2.0.1-rc1`, `v3_beta`)
 * (details: `{ version, reason }` with reason a {@link ModelVersionProblem}).
 */
export function validateModelVersion(version: string): void {
  const reason = findModelVersionProblem(version);
  if (reason !== undefined) {
    throw new ModelArchiveError('MODEL_VERSION_INVALID', `${VERSION_MESSAGES[reason]} Got: ${JSON.stringify(version)}`, {
      details: { version, reason },
    });
  }
}
