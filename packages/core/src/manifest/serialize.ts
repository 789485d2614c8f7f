/**
 * Manifest bytes exactly as the reference archivers write them: Python `json.dumps(obj, indent=2)` with its defaults
 * (`ensure_ascii=True`, separators `","` / `": "`, keys in insertion order, no trailing newline).
 */

const INDENT = '  ';

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A JSON string literal as Python's `ensure_ascii` encoder writes it: every UTF-16 code unit outside printable
 * ASCII (`' '`..`'~'`) becomes `\uXXXX` with lowercase hex (astral characters therefore as surrogate pairs), with
 * the short escapes for `"`, `\`, newline, carriage return, tab, backspace and form feed.
 */
export function pythonJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i] as string;
    const code = value.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * A number as Python writes it. JavaScript cannot tell `1` from `1.0`, so integral values below 1e16 are written as
 * Python ints (`1`), everything else as Python's float `repr` (`0.5`, `1e-05`, `1e+16`, `NaN`, `Infinity`).
 */
export function pythonJsonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return Object.is(value, -0) ? '0' : value.toFixed(0);
  // Shortest round-trip digits, then Python's repr layout: fixed for 1e-4 <= |x| < 1e16, else d.ddde±XX.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fracPart = digits.slice(exponent + 1);
    return `${sign}${intPart}.${fracPart === '' ? '0' : fracPart}`;
  }
  const expSign = exponent < 0 ? '-' : '+';
  const expDigits = String(Math.abs(exponent)).padStart(2, '0');
  const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${body}e${expSign}${expDigits}`;
}

function encode(value: unknown, level: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'number':
      return pythonJsonNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return Array.isArray(value) ? encodeArray(value, level) : encodeObject(value as Record<string, unknown>, level);
    default:
      throw new TypeError(`serializeManifest: cannot serialise a value of type ${typeof value}`);
  }
}

function encodeArray(values: readonly unknown[], level: number): string {
  if (values.length === 0) return '[]';
  const inner = INDENT.repeat(level + 1);
  const items = values.map((v) => `${inner}${v === undefined ? 'null' : encode(v, level + 1)}`);
  return `[\n${items.join(',\n')}\n${INDENT.repeat(level)}]`;
}

function encodeObject(object: Record<string, unknown>, level: number): string {
  const inner = INDENT.repeat(level + 1);
  const items: string[] = [];
  for (const [key, v] of Object.entries(object)) {
    if (v === undefined) continue; // an absent optional field, as with JSON.stringify
    items.push(`${inner}${pythonJsonString(key)}: ${encode(v, level + 1)}`);
  }
  if (items.length === 0) return '{}';
  return `{\n${items.join(',\n')}\n${INDENT.repeat(level)}}`;
}

/**
 * Serialises a manifest byte-for-byte like the reference archivers (Python `json.dumps(obj, indent=2)`):
 * same layout, same escapes, keys in the object's order, no trailing newline. Keys whose value is `undefined` are
 * left out. Two limits come from JavaScript itself: integer-like keys (`"2"`) are enumerated first by every JS
 * object, and `1.0` parsed by `JSON.parse` is the number `1` (written `1`).
 *
 * @example
 * serializeManifest({ runtime: 'python', model: { modelName: 'm', handler: 'h' } });
 * // '{\n  "runtime": "python",\n  "model": {\n    "modelName": "m",\n    "handler": "h"\n  }\n}'
 */
export function serializeManifest(manifest: unknown): string {
  return encode(manifest, 0);
}
