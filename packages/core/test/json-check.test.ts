import { deepStrictEqual } from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  IntegrityRecordSchema,
  MANIFEST_SCHEMAS,
  SignatureSchema,
  checkManifest,
  createIntegrityRecord,
  safeParseManifest,
} from '@model-archiver/core';

import { compileJsonParse, NO_MATCH } from '../src/json-check/compile-json-parse.js';
import { documentParser, type DocumentName } from '../src/json-check/document-parsers.js';

// The zod-free parse (json-check/) must answer exactly as zod does: accept what zod accepts, with the value zod returns
// (same keys, same order), and refuse what zod refuses. The only allowed difference: it declines documents with an
// own `__proto__` key, which readers then hand to zod.

const GENERATOR = fileURLToPath(new URL('../../../scripts/generate-json-schema.mjs', import.meta.url));

const HEX = 'ab'.repeat(32);

/** Valid documents of every kind, the seeds the mutations start from. */
const SEEDS: Record<DocumentName, unknown[]> = {
  'manifest:mms': [
    { runtime: 'python', model: { modelName: 'squeezenet_v1.1', handler: 'mxnet_vision_service:handle' }, modelServerVersion: '1.0', implementationVersion: '1.0', specificationVersion: '1.0' },
    { model: { handler: 'svc:handle', modelName: 'm', modelVersion: '2.0', extensions: { a: [1, { b: null }] }, batch_size: 4 }, engine: { engineName: 'MXNet', engineVersion: '1.4' }, publisher: { author: 'a', email: 'e' }, userData: [1, 'x'], license: 'MIT', description: 'd', runtime: 'python3', extra: { z: 1 } },
  ],
  'manifest:torchserve': [
    { createdOn: '24/11/2026 08:54:37', runtime: 'python', model: { modelName: 'densenet161', serializedFile: 'model.pt', handler: 'image_classifier', modelVersion: '1.0' }, archiverVersion: '0.12.0' },
    { runtime: 'LSP', archiverVersion: '0.2.0', model: { modelVersion: '1', handler: 'h.py:fn', modelName: 'x', requirementsFile: 'requirements.txt', configFile: 'c.yaml', modelFile: 'm.py', envelope: 'json', extensions: 5, config: {} }, description: 'd' },
  ],
  'manifest:node': [
    { manifestVersion: 1, createdOn: '2024-01-02T03:04:05Z', runtime: 'node', model: { modelName: 'm', serializedFile: 'model.onnx', handler: 'onnx', modelVersion: '1.0' }, archiverVersion: '1.0.0' },
    { archiverVersion: '0.1', model: { handler: 'dir/svc.mjs:handle', modelVersion: '1+b', modelName: 'm-1', extensions: { k: 'v' }, description: 'd', configFile: 'c.yaml' }, runtime: 'node', createdOn: '2024-02-29T23:59:59.123Z', manifestVersion: 1 },
  ],
  'manifest:legacy-mms': [
    { Engine: { MXNet: 0.12 }, 'Model-Archive-Description': 'x', License: 'Apache 2.0', 'Model-Archive-Version': 0.1, 'Model-Server': 0.1, Model: { Description: 'd', Service: 'svc.py', Symbol: 's.json', Parameters: 'p.params', 'Model-Name': 'resnet' } },
  ],
  'integrity-record': [
    createIntegrityRecord([
      { path: 'MAR-INF/MANIFEST.json', size: 10, sha256: HEX },
      { path: 'model.onnx', size: 0, sha256: HEX },
    ]),
    { integrityVersion: 1, algorithm: 'sha256', files: [] },
  ],
  signature: [{ signatureVersion: 1, algorithm: 'ed25519', signedPath: 'MAR-INF/integrity.json', keyId: HEX, publicKey: 'PEM', signature: 'c2ln' }],
};

const ZOD: Record<DocumentName, z.ZodType> = {
  'manifest:mms': MANIFEST_SCHEMAS.mms,
  'manifest:torchserve': MANIFEST_SCHEMAS.torchserve,
  'manifest:node': MANIFEST_SCHEMAS.node,
  'manifest:legacy-mms': MANIFEST_SCHEMAS['legacy-mms'],
  'integrity-record': IntegrityRecordSchema,
  signature: SignatureSchema,
};

/** Key names the mutations use: the schemas' own, near misses and `__proto__`. */
const KEYS = [
  'runtime', 'model', 'modelName', 'handler', 'modelVersion', 'serializedFile', 'extensions', 'engine', 'engineName',
  'publisher', 'createdOn', 'archiverVersion', 'manifestVersion', 'Model', 'Service', 'Model-Name', 'files', 'path',
  'size', 'sha256', 'integrityVersion', 'algorithm', 'keyId', 'signature', 'signedPath', 'publicKey', 'description',
  'modelname', 'extra', '__proto__', 'constructor', '0',
];

/** Values close to the schemas' edges. */
const EDGE_VALUES: unknown[] = [
  '', ' ', '  \t', 'x', 'a.b', '-a', '.a', '1.0', 'python', 'python3', 'python2', 'LSP', 'node', 'sha256', 'ed25519',
  'MAR-INF/integrity.json', HEX, HEX.toUpperCase(), `${HEX}0`, '2024-01-02T03:04:05Z', '2023-02-29T00:00:00Z',
  '2024-01-02T03:04:05+01:00', '2024-01-02 03:04:05Z', 'a'.repeat(128), 'a'.repeat(129), `a${'\u{1F600}'.repeat(64)}`,
  'ß', 'a\nb', 'a/b', '../x', 0, -0.5, -1, 1, 2, 1.5, 2 ** 53, 2 ** 53 - 1, 1e308, true, false, null, [], {}, [1, 'x'],
  { a: 1 },
];

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...EDGE_VALUES),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 3 }),
  ),
})).value;

type Mutation = { kind: 'set' | 'delete' | 'add'; steps: number[]; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'delete', 'add'),
  steps: fc.array(fc.nat(), { maxLength: 3 }),
  key: fc.constantFrom(...KEYS),
  value: json,
});

const isContainer = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Applies a mutation to a deep copy: walks `steps` into the document, then sets, deletes or adds a key. */
function mutate(document: unknown, { kind, steps, key, value }: Mutation): unknown {
  const root: unknown = structuredClone(document);
  let node: unknown = root;
  for (const step of steps) {
    if (!isContainer(node)) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const next = node[keys[step % keys.length] as string];
    if (!isContainer(next)) break;
    node = next;
  }
  if (!isContainer(node)) return value;
  const keys = Object.keys(node);
  const existing = keys.length === 0 ? key : (keys[(steps.at(-1) ?? 0) % keys.length] as string);
  if (kind === 'delete') delete node[existing];
  // defineProperty: a plain assignment of `__proto__` would set the prototype instead of adding a key.
  else Object.defineProperty(node, kind === 'set' ? existing : key, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** The document as a reader sees it: through JSON text. */
const throughJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null') as unknown;

const hasProtoKey = (value: unknown): boolean =>
  isContainer(value) && (Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey));

/** The property: the zod-free parse and zod agree on `document`. */
function agree(name: DocumentName, document: unknown): void {
  const fast = documentParser(name)(document);
  const slow = ZOD[name].safeParse(document);
  if (fast === NO_MATCH) {
    if (slow.success) expect(hasProtoKey(document), `zod accepts what json-check refuses: ${JSON.stringify(document)}`).toBe(true);
  } else {
    expect(slow.success, `json-check accepts what zod refuses: ${JSON.stringify(document)}`).toBe(true);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
    // Same prototypes and own keys (node's deep equality: toStrictEqual would compare a `constructor` key by identity).
    deepStrictEqual(fast, slow.data);
  }
}

const NAMES = Object.keys(SEEDS) as DocumentName[];

describe('json-check: the zod-free parse of the documents core reads', () => {
  it('is generated from the current zod schemas (run `npm run schema` after changing them)', () => {
    const result = spawnSync(process.execPath, [GENERATOR, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(NAMES)('accepts the valid %s documents with zod\'s value', (name) => {
    for (const seed of SEEDS[name]) {
      expect(documentParser(name)(seed)).not.toBe(NO_MATCH);
      agree(name, seed);
    }
  });

  it.each(NAMES)('answers as zod for mutated documents against the %s schema', (name) => {
    const seeds = Object.values(SEEDS).flat();
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        const document = throughJson(mutations.reduce((doc, m) => mutate(doc, m), seeds[seed]));
        agree(name, document);
      }),
      { numRuns: fc.readConfigureGlobal().numRuns ?? 1500 },
    );
  });

  it('answers as zod for arbitrary JSON values', () => {
    fc.assert(
      fc.property(json, (value) => {
        for (const name of NAMES) agree(name, throughJson(value));
      }),
      { numRuns: fc.readConfigureGlobal().numRuns ?? 500 },
    );
  });

  it('keeps zod\'s key order: the schema\'s properties first, then the others as they came', () => {
    const document = { extra: 1, model: { handler: 'h', z: 2, modelName: 'm' }, runtime: 'python' };
    const fast = documentParser('manifest:mms')(document);
    expect(Object.keys(fast as object)).toEqual(['runtime', 'model', 'extra']);
    expect(Object.keys((fast as { model: object }).model)).toEqual(['modelName', 'handler', 'z']);
    agree('manifest:mms', document);
  });

  it('declines an own __proto__ key, which zod would turn into a prototype', () => {
    const document = JSON.parse('{"runtime":"python","model":{"modelName":"m","handler":"h"},"__proto__":{"x":1}}') as unknown;
    expect(documentParser('manifest:mms')(document)).toBe(NO_MATCH);
  });

  it('reads each keyword as zod does where JSON Schema could be read otherwise (code-point lengths, safe integers, no regex flags)', () => {
    const cases: [z.ZodType, unknown[]][] = [
      [z.string().max(2), ['ab', 'abc', '\u{1F600}', '\u{1F600}\u{1F600}', 'é', 3]],
      [z.string().min(2), ['a', 'ab', '\u{1F600}', '', '\ud800', '\ud800\ud800', '\ud800\udc00']],
      [z.int().nonnegative(), [0, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -0, '1']],
      [z.number(), [1, 1.5, -1e308, '1', null]],
      [z.string().regex(/^[a-z]+$/), ['abc', 'ABC', 'a\nb', '']],
      [z.union([z.string(), z.number()]), ['a', 1, null, []]],
      [z.enum(['a', 'b']), ['a', 'c', 1]],
      [z.literal(1), [1, '1', true]],
      [z.array(z.strictObject({ a: z.string() })), [[], [{ a: 'x' }], [{ a: 'x', b: 1 }], [{}], {}]],
      [z.record(z.string(), z.unknown()), [{}, { a: [1] }, [], null]],
    ];
    for (const [schema, values] of cases) {
      const parse = compileJsonParse(z.toJSONSchema(schema, { io: 'input' }));
      for (const value of values) {
        const slow = schema.safeParse(value);
        const fast = parse(value);
        expect(fast === NO_MATCH, `${JSON.stringify(z.toJSONSchema(schema))} on ${JSON.stringify(value)}`).toBe(!slow.success);
        if (slow.success) deepStrictEqual(fast, slow.data);
      }
    }
  });

  it('refuses, when compiling, schema forms it does not implement', () => {
    expect(() => compileJsonParse({ type: 'object', properties: {} })).toThrow(/additionalProperties/);
    expect(() => compileJsonParse({ oneOf: [] })).toThrow(/oneOf/);
    expect(() => compileJsonParse({ type: 'string', format: 'email' })).toThrow(/format/);
    expect(() => compileJsonParse({ type: 'date' })).toThrow(/type/);
    expect(() => compileJsonParse({ const: { a: 1 } })).toThrow(/const/);
  });
});

describe('checkManifest (detection, schema and rules without zod)', () => {
  const text = fc.oneof(
    fc.constantFrom(...Object.values(SEEDS).flat().map((seed) => JSON.stringify(seed))),
    fc.tuple(fc.constantFrom(...Object.values(SEEDS).flat()), fc.array(mutation, { maxLength: 2 })).map(([seed, mutations]) =>
      JSON.stringify(mutations.reduce((doc, m) => mutate(doc, m), seed)),
    ),
    fc.string(),
  );

  it('returns what safeParseManifest returns for every valid manifest, and nothing for the others', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(undefined, 'MAR-INF/MANIFEST.json', 'MANIFEST.json'), (input, path) => {
        const options = path === undefined ? {} : { path };
        const fast = checkManifest(input, options);
        const slow = safeParseManifest(input, options);
        if (fast === undefined) {
          if (slow.ok) expect(input.includes('__proto__')).toBe(true);
        } else {
          expect(slow.ok).toBe(true);
          if (slow.ok) deepStrictEqual(fast, { flavour: slow.flavour, manifest: slow.manifest });
        }
      }),
      { numRuns: fc.readConfigureGlobal().numRuns ?? 1500 },
    );
  });

  it('leaves a manifest that breaks a cross-field rule to zod (blank handler, unsafe node handler path)', () => {
    const blank = { runtime: 'python', model: { modelName: 'm', handler: '  ' } };
    expect(checkManifest(blank)).toBeUndefined();
    expect(safeParseManifest(blank).ok).toBe(false);
    const escape = { ...(SEEDS['manifest:node'][0] as object), model: { modelName: 'm', handler: '../x.mjs', modelVersion: '1' } };
    expect(checkManifest(escape)).toBeUndefined();
    expect(safeParseManifest(escape).ok).toBe(false);
  });
});
