import { z } from 'zod';

import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import { MANIFEST_SCHEMAS } from './schemas.js';

/** `$defs` names of the flavours in the JSON Schema document. */
export const MANIFEST_JSON_SCHEMA_DEFS: Readonly<Record<ManifestFlavour, string>> = {
  mms: 'MmsManifest',
  torchserve: 'TorchServeManifest',
  node: 'NodeManifest',
  'legacy-mms': 'LegacyMmsManifest',
};

/**
 * The JSON Schema (draft 2020-12) of every manifest flavour, generated from the zod schemas: one `$defs` entry per
 * flavour and an `anyOf` over them (not `oneOf`: the MMS and TorchServe schemas accept unknown keys, so a document can
 * match more than one). Cross-field rules (`rules.ts`) are not expressible here and are only checked by
 * `parseManifest`. Written to `packages/core/manifest.schema.json` by `npm run schema`.
 */
export function buildManifestJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const [flavour, name] of Object.entries(MANIFEST_JSON_SCHEMA_DEFS) as [ManifestFlavour, string][]) {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(MANIFEST_SCHEMAS[flavour], { io: 'input' });
    defs[name] = schema;
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Model archive manifest (MAR-INF/MANIFEST.json)',
    description:
      'Manifest of a model archive (.mar): MMS 1.0, TorchServe, this project\'s node flavour, or legacy MMS 0.x (top-level MANIFEST.json).',
    anyOf: Object.values(MANIFEST_JSON_SCHEMA_DEFS).map((name) => ({ $ref: `#/$defs/${name}` })),
    $defs: defs,
  };
}

/** The exact text of `packages/core/manifest.schema.json`: 2-space JSON and a trailing newline. */
export function serializeManifestJsonSchema(): string {
  return `${JSON.stringify(buildManifestJsonSchema(), null, 2)}\n`;
}
