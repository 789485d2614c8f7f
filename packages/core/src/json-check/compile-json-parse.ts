/**
 * A zod-free parse of a JSON document against a JSON Schema node as `z.toJSONSchema` writes it for this project's
 * document schemas (manifests, integrity record, signature), with zod's semantics where JSON Schema's could be read
 * otherwise: string lengths in code points (a lone surrogate counts one), patterns compiled without flags (zod keeps
 * the RegExp it was given; ours have none), `integer` as a safe integer (`z.int()`), `number` finite.
 *
 * It exists so that reading a valid archive loads no schema library: zod costs a fresh process tens of milliseconds
 * (docs/performance.md, "CLI start-up"). zod stays the single source of truth: the schemas checked here are generated
 * from it (`npm run schema` writes `document-schemas.ts`; a test fails when they drift), a differential test holds the
 * two to the same answers, and readers call zod whenever this parse says no, so every error is still zod's.
 *
 * The parse answers NO_MATCH where it cannot be sure what zod would return: an object with an own
 * `__proto__` key (zod's copy would set a prototype instead). Keywords it does not know are refused when compiling,
 * so a schema change that needs more than this subset fails the tests instead of being half-checked.
 */

/** A JSON Schema node (a plain JSON object). */
export type JsonSchemaNode = Readonly<Record<string, unknown>>;

/** What a compiled parse answers for a value that does not conform (or that it cannot vouch for). */
export const NO_MATCH: unique symbol = Symbol('json-check: no match');

/**
 * A compiled parse: the value as zod's `parse` returns it (objects and arrays copied, object keys in zod's order: the
 * schema's properties first, then the others in input order; `{}` nodes, zod's `unknown`, by reference), or
 * {@link NO_MATCH}.
 */
export type JsonParse = (value: unknown) => unknown;

/** Keywords that only annotate (no effect on the answer). `format` is one only next to a `pattern` (checked). */
const ANNOTATIONS = new Set(['$schema', 'description', 'title', 'examples', 'default']);

/** Keywords handled by the object step rather than as a test of the value. */
const OBJECT_KEYWORDS = new Set(['properties', 'required', 'additionalProperties', 'propertyNames']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isPrimitive = (value: unknown): value is string | number | boolean | null =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

const TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const;

/** Whether `value` has JSON Schema type `type`, as zod decides it. */
function hasType(type: (typeof TYPES)[number], value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** Code points of a string, as zod counts them for min/max (a lone surrogate is one). */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const unsupported = (what: string): Error => new Error(`json-check: unsupported schema: ${what}`);

const numberKeyword = (node: JsonSchemaNode, key: string): number => {
  const value = node[key];
  if (typeof value !== 'number') throw unsupported(`${key} that is not a number`);
  return value;
};

/** A test of a value that does not change it. */
type Test = (value: unknown) => boolean;

function compileTest(schema: JsonSchemaNode, key: string): Test | undefined {
  const value = schema[key];
  switch (key) {
    case 'type': {
      const types = Array.isArray(value) ? value : [value];
      const known = types.filter((t): t is (typeof TYPES)[number] => (TYPES as readonly unknown[]).includes(t));
      if (known.length !== types.length || known.length === 0) throw unsupported(`type ${JSON.stringify(value)}`);
      return (v) => known.some((t) => hasType(t, v));
    }
    case 'const':
      if (!isPrimitive(value)) throw unsupported('const of an object');
      return (v) => v === value;
    case 'enum':
      if (!Array.isArray(value) || !value.every(isPrimitive)) throw unsupported('enum of objects');
      return (v) => (value as unknown[]).includes(v);
    case 'minLength': {
      const min = numberKeyword(schema, key);
      return (v) => typeof v !== 'string' || codePoints(v) >= min;
    }
    case 'maxLength': {
      const max = numberKeyword(schema, key);
      return (v) => typeof v !== 'string' || codePoints(v) <= max;
    }
    case 'pattern': {
      if (typeof value !== 'string') throw unsupported('pattern that is not a string');
      const regex = new RegExp(value);
      return (v) => typeof v !== 'string' || regex.test(v);
    }
    case 'format':
      // zod writes `format` next to the `pattern` it checks with (z.iso.datetime()): the pattern decides.
      if (typeof schema['pattern'] !== 'string') throw unsupported(`format ${String(value)} without a pattern`);
      return undefined;
    case 'minimum': {
      const bound = numberKeyword(schema, key);
      return (v) => typeof v !== 'number' || v >= bound;
    }
    case 'maximum': {
      const bound = numberKeyword(schema, key);
      return (v) => typeof v !== 'number' || v <= bound;
    }
    case 'exclusiveMinimum': {
      const bound = numberKeyword(schema, key);
      return (v) => typeof v !== 'number' || v > bound;
    }
    case 'exclusiveMaximum': {
      const bound = numberKeyword(schema, key);
      return (v) => typeof v !== 'number' || v < bound;
    }
    default:
      throw unsupported(`keyword ${key}`);
  }
}

/** The object step: required keys, each property, the other keys; returns a copy in zod's key order. */
function compileObject(schema: JsonSchemaNode): JsonParse | undefined {
  if (!Object.keys(schema).some((k) => OBJECT_KEYWORDS.has(k))) return undefined;
  const properties = schema['properties'] ?? {};
  if (!isObject(properties)) throw unsupported('properties that are not an object');
  const required = schema['required'] ?? [];
  if (!Array.isArray(required) || !required.every((n) => typeof n === 'string')) throw unsupported('required that is not a list of names');
  const propertyNames = schema['propertyNames'];
  // JSON object keys are strings: the only form zod writes (z.record(z.string(), …)) always holds.
  if (propertyNames !== undefined && !(isObject(propertyNames) && propertyNames['type'] === 'string' && Object.keys(propertyNames).every((k) => k === 'type' || ANNOTATIONS.has(k)))) {
    throw unsupported('propertyNames other than {type: "string"}');
  }
  // Without it zod's plain z.object() would drop unknown keys, which a JSON Schema cannot say: refuse that form.
  const additional = schema['additionalProperties'];
  if (additional === undefined) throw unsupported('an object without additionalProperties (zod strips unknown keys)');
  if (additional !== false && !isObject(additional)) throw unsupported('additionalProperties that is not false or a schema');
  const parsers = new Map(Object.entries(properties).map(([name, sub]) => [name, compileJsonParse(sub as JsonSchemaNode)]));
  const other = additional === false ? undefined : compileJsonParse(additional);
  return (value) => {
    if (!isObject(value) || Object.hasOwn(value, '__proto__')) return NO_MATCH;
    for (const name of required) if (!Object.hasOwn(value, name)) return NO_MATCH;
    const out: Record<string, unknown> = {};
    for (const [name, parse] of parsers) {
      if (!Object.hasOwn(value, name)) continue;
      const parsed = parse(value[name]);
      if (parsed === NO_MATCH) return NO_MATCH;
      out[name] = parsed;
    }
    for (const name of Object.keys(value)) {
      if (parsers.has(name)) continue;
      if (other === undefined) return NO_MATCH;
      const parsed = other(value[name]);
      if (parsed === NO_MATCH) return NO_MATCH;
      out[name] = parsed;
    }
    return out;
  };
}

/**
 * Compiles `schema` into a parse. Throws a plain `Error` (a programming error, not a user-facing one) on a keyword or
 * form outside the supported subset.
 */
export function compileJsonParse(schema: JsonSchemaNode): JsonParse {
  const tests: Test[] = [];
  let anyOf: JsonParse[] | undefined;
  let items: JsonParse | undefined;
  for (const key of Object.keys(schema)) {
    if (ANNOTATIONS.has(key) || OBJECT_KEYWORDS.has(key)) continue;
    if (key === 'items') {
      const value = schema[key];
      if (!isObject(value)) throw unsupported('items that is not a schema');
      items = compileJsonParse(value);
    } else if (key === 'anyOf') {
      const value = schema[key];
      if (!Array.isArray(value)) throw unsupported('anyOf that is not a list');
      anyOf = value.map((sub) => compileJsonParse(sub as JsonSchemaNode));
    } else {
      const test = compileTest(schema, key);
      if (test !== undefined) tests.push(test);
    }
  }
  const object = compileObject(schema);
  const parseItems = items;
  const alternatives = anyOf;
  return (value) => {
    for (const test of tests) if (!test(value)) return NO_MATCH;
    let out = value;
    if (object !== undefined && isObject(value)) out = object(value);
    else if (parseItems !== undefined && Array.isArray(value)) {
      const array: unknown[] = [];
      for (const item of value) {
        const parsed = parseItems(item);
        if (parsed === NO_MATCH) return NO_MATCH;
        array.push(parsed);
      }
      out = array;
    }
    if (out === NO_MATCH || alternatives === undefined) return out;
    // zod's union answers with the first alternative that accepts.
    for (const parse of alternatives) {
      const parsed = parse(out);
      if (parsed !== NO_MATCH) return parsed;
    }
    return NO_MATCH;
  };
}
