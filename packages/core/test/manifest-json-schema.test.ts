import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { MANIFEST_JSON_SCHEMA_DEFS, buildManifestJsonSchema, serializeManifestJsonSchema } from '@model-archiver/core';

const SCHEMA_FILE = fileURLToPath(new URL('../manifest.schema.json', import.meta.url));

/** Every `properties` entry of a JSON Schema tree, with its path. */
function* properties(node: unknown, path: string): Generator<[string, Record<string, unknown>]> {
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  const props = record['properties'];
  if (typeof props === 'object' && props !== null) {
    for (const [key, value] of Object.entries(props)) {
      yield [`${path}.${key}`, value as Record<string, unknown>];
      yield* properties(value, `${path}.${key}`);
    }
  }
}

describe('manifest.schema.json', () => {
  it('matches the zod schemas (run `npm run schema` after changing them)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect(committed, 'packages/core/manifest.schema.json is out of date: run `npm run schema`').toBe(
      serializeManifestJsonSchema(),
    );
  });

  it('has one $defs entry per flavour and an anyOf over them', () => {
    const schema = buildManifestJsonSchema();
    expect(Object.keys(schema['$defs'] as object).sort()).toEqual(Object.values(MANIFEST_JSON_SCHEMA_DEFS).sort());
    expect(schema['anyOf']).toHaveLength(4);
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every field of every flavour', () => {
    const defs = buildManifestJsonSchema()['$defs'] as Record<string, unknown>;
    const undocumented = Object.entries(defs).flatMap(([name, def]) =>
      [...properties(def, name)].filter(([, prop]) => typeof prop['description'] !== 'string').map(([path]) => path),
    );
    expect(undocumented).toEqual([]);
  });

  it('closes node manifests to unknown keys and leaves MMS and TorchServe ones open', () => {
    const defs = buildManifestJsonSchema()['$defs'] as Record<string, Record<string, unknown>>;
    expect(defs['NodeManifest']?.['additionalProperties']).toBe(false);
    expect(defs['MmsManifest']?.['additionalProperties']).toEqual({});
    expect(defs['TorchServeManifest']?.['additionalProperties']).toEqual({});
  });
});
