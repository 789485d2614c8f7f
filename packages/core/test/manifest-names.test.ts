import { describe, expect, it } from 'vitest';

import {
  MODEL_NAME_MAX_LENGTH,
  MODEL_NAME_PATTERN,
  findModelNameProblem,
  findModelVersionProblem,
  validateModelName,
  validateModelVersion,
} from '@model-archiver/core';

// anchors §8.1 TestModelNameRegEx (same lists in MMS and TorchServe).
const REFERENCE_PASS = ['my-awesome-model', 'Aa.model', 'a', 'aA.model', 'a1234.model', 'a-A-A.model', '123-abc'];
const REFERENCE_FAIL = ['abc%', '123$abc', 'abc!123', '@123', '(model', 'mdoel)', '12*model-a.model', '##.model', '-.model'];

const codeOf = (fn: () => void): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
};

describe('MODEL_NAME_PATTERN', () => {
  it.each(REFERENCE_PASS)('accepts %s like the reference archivers', (name) => {
    expect(MODEL_NAME_PATTERN.test(name)).toBe(true);
  });

  it.each(REFERENCE_FAIL)('rejects %s like the reference archivers', (name) => {
    expect(MODEL_NAME_PATTERN.test(name)).toBe(false);
  });
});

describe('validateModelName', () => {
  it.each([...REFERENCE_PASS, 'my.model-v_1', 'x'.repeat(MODEL_NAME_MAX_LENGTH)])('accepts %s', (name) => {
    expect(() => validateModelName(name)).not.toThrow();
  });

  it.each(REFERENCE_FAIL)('throws MODEL_NAME_INVALID for %s', (name) => {
    expect(codeOf(() => validateModelName(name))).toBe('MODEL_NAME_INVALID');
  });

  it.each([
    ['', 'empty'],
    ['a b', 'pattern'],
    ['café', 'pattern'],
    ['a/b', 'pattern'],
    ['.hidden', 'pattern'],
    ['a..b', 'dot-dot'],
    ['a.', 'trailing-dot'],
    ['x'.repeat(MODEL_NAME_MAX_LENGTH + 1), 'too-long'],
  ])('refuses %j with reason %s', (name, reason) => {
    expect(findModelNameProblem(name)).toBe(reason);
    expect(() => validateModelName(name)).toThrow(expect.objectContaining({ code: 'MODEL_NAME_INVALID', details: { name, reason } }));
  });
});

describe('validateModelVersion', () => {
  it.each(['1.0', '2.0.1-rc1', 'v3_beta', '1', 'snapshot', '1.0+build.5', '2024.01.02~a'])('accepts %s', (version) => {
    expect(() => validateModelVersion(version)).not.toThrow();
  });

  it.each([
    ['', 'empty'],
    ['1/0', 'pattern'],
    ['1.0 beta', 'pattern'],
    [' 1.0', 'pattern'],
    ['1.0\n', 'pattern'],
    ['1.0?x', 'pattern'],
    ['1.0#x', 'pattern'],
    ['1%2F0', 'pattern'],
    ['..', 'pattern'],
    ['.', 'pattern'],
    ['-1', 'pattern'],
    ['1.0é', 'pattern'],
    ['1'.repeat(129), 'too-long'],
  ])('throws MODEL_VERSION_INVALID for %j (%s)', (version, reason) => {
    expect(findModelVersionProblem(version)).toBe(reason);
    expect(codeOf(() => validateModelVersion(version))).toBe('MODEL_VERSION_INVALID');
  });
});
