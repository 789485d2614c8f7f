import { z } from 'zod';

import { ModelArchiveError } from '../errors.js';
import { decodeManifest, type ManifestIssue } from './decode-manifest.js';
import { detectFlavour } from './detect.js';
import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import { checkManifestRules } from './rules.js';
import { MANIFEST_SCHEMAS, type ParsedManifest } from './schemas.js';

export type { ManifestIssue } from './decode-manifest.js';

/** Options of {@link parseManifest}. */
export interface ParseManifestOptions {
  /** Validate as this flavour instead of detecting it. */
  flavour?: ManifestFlavour;
  /** Archive path the manifest was read from; used by detection and in messages. */
  path?: string;
}

/** Result of {@link safeParseManifest}. */
export type SafeParseManifestResult =
  | ({ ok: true } & ParsedManifest)
  | {
      ok: false;
      /** The flavour it was validated as (`undefined` when the text is not JSON). */
      flavour: ManifestFlavour | undefined;
      /** Every problem found. */
      issues: ManifestIssue[];
      /** The `MANIFEST_INVALID` error {@link parseManifest} would throw. */
      error: ModelArchiveError;
    };

const toIssue = (issue: z.core.$ZodIssue): ManifestIssue => ({
  path: issue.path.map(String).join('.'),
  code: issue.code === 'custom' && typeof issue.params?.['rule'] === 'string' ? issue.params['rule'] : issue.code,
  message: issue.message,
});

/**
 * Validates a manifest without throwing: the flavour's zod schema plus its cross-field rules (`rules.ts`), both
 * always run so every problem is reported with its JSON path.
 *
 * @param input JSON text, UTF-8 bytes (`Uint8Array`/`Buffer`), or an already parsed value
 */
export function safeParseManifest(input: unknown, options: ParseManifestOptions = {}): SafeParseManifestResult {
  const where = options.path ?? 'manifest';
  const decoded = decodeManifest(input, where);
  if (!decoded.ok) {
    const details = decoded.error.details as { issues: ManifestIssue[] };
    return { ok: false, flavour: undefined, issues: details.issues, error: decoded.error };
  }
  const flavour = options.flavour ?? detectFlavour(decoded.json, options.path);
  const result = MANIFEST_SCHEMAS[flavour].safeParse(decoded.json);
  const ruleIssues: z.core.$ZodIssue[] = checkManifestRules(flavour, decoded.json).map((r) => ({
    code: 'custom',
    path: r.path,
    message: r.message,
    input: undefined,
    params: { rule: r.rule },
  }));
  if (result.success && ruleIssues.length === 0) {
    return { ok: true, flavour, manifest: result.data } as { ok: true } & ParsedManifest;
  }
  const zodError = new z.ZodError([...(result.error?.issues ?? []), ...ruleIssues]);
  const issues = zodError.issues.map(toIssue);
  const error = new ModelArchiveError('MANIFEST_INVALID', `Invalid ${flavour} manifest (${where}):\n${z.prettifyError(zodError)}`, {
    cause: zodError,
    details: { flavour, path: options.path, issues },
  });
  return { ok: false, flavour, issues, error };
}

/**
 * Parses and validates a manifest, detecting its flavour unless `options.flavour` is given.
 * Throws `MANIFEST_INVALID` (`details: { flavour, path, issues: [{ path, code, message }] }`, `cause`: the ZodError or
 * SyntaxError) listing every problem.
 *
 * @param input JSON text, UTF-8 bytes, or an already parsed value
 * @example
 * const { flavour, manifest } = parseManifest(await readFile('MAR-INF/MANIFEST.json', 'utf8'));
 * if (flavour === 'torchserve') console.log(manifest.model.modelVersion);
 */
export function parseManifest(input: unknown, options: ParseManifestOptions = {}): ParsedManifest {
  const result = safeParseManifest(input, options);
  if (!result.ok) throw result.error;
  const { ok: _ok, ...parsed } = result;
  return parsed as ParsedManifest;
}
