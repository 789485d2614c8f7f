import { describe, expect, it } from 'vitest';

import { pythonJsonNumber, pythonJsonString, serializeManifest } from '@model-archiver/core';

describe('serializeManifest', () => {
  it('writes 2-space indented JSON with ": " and no trailing newline', () => {
    const text = serializeManifest({ runtime: 'python', model: { modelName: 'm', handler: 'h' } });
    expect(text).toBe('{\n  "runtime": "python",\n  "model": {\n    "modelName": "m",\n    "handler": "h"\n  }\n}');
  });

  it('keeps insertion order of keys', () => {
    expect(serializeManifest({ b: 1, a: 2 })).toBe('{\n  "b": 1,\n  "a": 2\n}');
  });

  it('writes empty containers, nested arrays, booleans and null as Python does', () => {
    // python3 -c 'import json; print(json.dumps({"e": {}, "a": [], "b": [True, False, None], "nested": {"x": [{"y": 1}]}}, indent=2))'
    const expected = [
      '{',
      '  "e": {},',
      '  "a": [],',
      '  "b": [',
      '    true,',
      '    false,',
      '    null',
      '  ],',
      '  "nested": {',
      '    "x": [',
      '      {',
      '        "y": 1',
      '      }',
      '    ]',
      '  }',
      '}',
    ].join('\n');
    expect(serializeManifest({ e: {}, a: [], b: [true, false, null], nested: { x: [{ y: 1 }] } })).toBe(expected);
  });

  it('leaves out undefined object values and writes undefined array items as null', () => {
    expect(serializeManifest({ a: undefined, b: [undefined] })).toBe('{\n  "b": [\n    null\n  ]\n}');
    expect(serializeManifest({ a: undefined })).toBe('{}');
  });

  it('escapes keys like values', () => {
    expect(serializeManifest({ 'é"': 'x' })).toBe('{\n  "\\u00e9\\"": "x"\n}');
  });

  it('throws a TypeError for values JSON cannot hold', () => {
    expect(() => serializeManifest({ f: () => 1 })).toThrow(TypeError);
    expect(() => serializeManifest(Symbol('s'))).toThrow(TypeError);
  });

  it('writes bigints as integers', () => {
    expect(serializeManifest([12345678901234567890n])).toBe('[\n  12345678901234567890\n]');
  });
});

describe('pythonJsonString (ensure_ascii=True)', () => {
  it('matches Python for the short escapes, control characters, DEL, non-ASCII and astral characters', () => {
    // python3 -c 'import json; print(json.dumps("a\"b\\c\nd\re\tf\bg\fh\x00i\x1fj\x7fk é ü 中 😀 \u2028 \ud800 ~ /"))'
    const input = 'a"b\\c\nd\re\tf\bg\fh\u0000i\u001fj\u007fk é ü 中 😀 \u2028 \ud800 ~ /';
    const python =
      '"a\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0000i\\u001fj\\u007fk \\u00e9 \\u00fc \\u4e2d \\ud83d\\ude00 \\u2028 \\ud800 ~ /"';
    expect(pythonJsonString(input)).toBe(python);
  });

  it('leaves printable ASCII alone, including "/" and "\'"', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i))
      .join('')
      .replace(/["\\]/g, '');
    expect(pythonJsonString(printable)).toBe(`"${printable}"`);
  });

  it('uses lowercase hex', () => {
    expect(pythonJsonString('\u00ff\uabcd')).toBe('"\\u00ff\\uabcd"');
  });
});

describe('pythonJsonNumber', () => {
  // python3 -c 'import json; print(json.dumps([0, 1, -1, 0.5, 1e-05, 0.0001, 1e16, 1.5e16, 123456789.125, -2.5e-7, 1e300, 12345678901234567.0, 1e15 + 0.5]))'
  it.each([
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [-0, '0'],
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [123456789.125, '123456789.125'],
    [-2.5e-7, '-2.5e-07'],
    [1e300, '1e+300'],
    [12345678901234567, '1.2345678901234568e+16'],
    [1e15 + 0.5, '1000000000000000.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('writes %d as %s', (value, expected) => {
    expect(pythonJsonNumber(value)).toBe(expected);
  });
});
