import { ModelArchiveError } from '../errors.js';

/** One problem of a manifest, as reported in `details.issues` of `MANIFEST_INVALID`. */
export interface ManifestIssue {
  /** Dotted JSON path of the value (`model.modelName`); `''` for the whole document. */
  path: string;
  /** zod issue code (`invalid_type`, `invalid_value`, `unrecognized_keys`, ...), a rule id, or `invalid_json`. */
  code: string;
  /** Human-readable explanation. */
  message: string;
}

const invalidJson = (message: string, cause: unknown): ModelArchiveError =>
  new ModelArchiveError('MANIFEST_INVALID', message, {
    cause,
    details: { flavour: undefined, issues: [{ path: '', code: 'invalid_json', message }] satisfies ManifestIssue[] },
  });


/** Decodes manifest text, UTF-8 bytes or an already parsed value; a failure is the `MANIFEST_INVALID` to report. */
export const decodeManifest = (input: unknown, where: string): { ok: true; json: unknown } | { ok: false; error: ModelArchiveError } => {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input);
    } catch (cause) {
      return { ok: false, error: invalidJson(`${where} is not valid UTF-8`, cause) };
    }
  } else return { ok: true, json: input };
  try {
    return { ok: true, json: JSON.parse(text) };
  } catch (cause) {
    return { ok: false, error: invalidJson(`${where} is not valid JSON: ${(cause as Error).message}`, cause) };
  }
};
