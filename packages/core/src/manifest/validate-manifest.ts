import { NO_MATCH } from '../json-check/compile-json-parse.js';
import { documentParser } from '../json-check/document-parsers.js';
import { decodeManifest } from './decode-manifest.js';
import { detectFlavour } from './detect.js';
import type { ParseManifestOptions, SafeParseManifestResult } from './parse.js';
import { checkManifestRules } from './rules.js';
import type { ParsedManifest } from './schemas.js';

/**
 * The manifest as `parseManifest` returns it when it is valid, else undefined; loads no schema library. It checks the
 * flavour's schema generated from zod (`json-check/`) and the same cross-field rules, so a manifest it accepts is one
 * zod accepts, with the same value (packages/core/test/json-check.test.ts holds the two to that).
 */
export function checkManifest(input: unknown, options: ParseManifestOptions = {}): ParsedManifest | undefined {
  const decoded = decodeManifest(input, options.path ?? 'manifest');
  if (!decoded.ok) return undefined;
  const flavour = options.flavour ?? detectFlavour(decoded.json, options.path);
  const manifest = documentParser(`manifest:${flavour}`)(decoded.json);
  if (manifest === NO_MATCH || checkManifestRules(flavour, decoded.json).length > 0) return undefined;
  return { flavour, manifest } as ParsedManifest;
}

/**
 * `parseManifest` for readers: the same result and the same `MANIFEST_INVALID` error, but zod (tens of milliseconds in
 * a fresh process) is imported only to explain a manifest that is not valid.
 */
export async function validateManifest(input: unknown, options: ParseManifestOptions = {}): Promise<ParsedManifest> {
  return checkManifest(input, options) ?? (await import('./parse.js')).parseManifest(input, options);
}

/** `safeParseManifest` for readers, importing zod only for a manifest that is not valid (see {@link validateManifest}). */
export async function safeValidateManifest(input: unknown, options: ParseManifestOptions = {}): Promise<SafeParseManifestResult> {
  const parsed = checkManifest(input, options);
  if (parsed !== undefined) return { ok: true, ...parsed };
  return (await import('./parse.js')).safeParseManifest(input, options);
}
