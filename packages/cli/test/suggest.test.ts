import { describe, expect, it } from 'vitest';

import { closest, editDistance } from '../src/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each', () => {
    expect(editDistance('inspect', 'inspect')).toBe(0);
    expect(editDistance('inspct', 'inspect')).toBe(1);
    expect(editDistance('insepct', 'inspect')).toBe(1);
    expect(editDistance('lint', 'list')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closest', () => {
  const commands = ['create', 'inspect', 'verify', 'sign', 'lint', 'extract', 'predict'];

  it('suggests the command a typo or a prefix is closest to', () => {
    expect(closest('inspct', commands)).toBe('inspect');
    expect(closest('verfy', commands)).toBe('verify');
    expect(closest('extr', commands)).toBe('extract');
    expect(closest('serialised-file', ['serialized-file', 'model-file'])).toBe('serialized-file');
  });

  it('suggests nothing when no candidate is close', () => {
    expect(closest('frobnicate', commands)).toBeUndefined();
    expect(closest('x', commands)).toBeUndefined();
  });
});
