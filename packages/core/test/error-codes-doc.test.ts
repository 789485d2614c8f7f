import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ErrorCode, ModelArchiveError, isModelArchiveError } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('documents every error code in the core README', () => {
    const missing = Object.values(ErrorCode).filter((code) => !readme.includes(`| \`${code}\` |`));
    expect(missing).toEqual([]);
  });

  it('recognises coded errors by name and code rather than by instanceof', () => {
    const error = new ModelArchiveError('INPUT_NOT_FOUND', 'missing', { details: { path: 'x' } });
    expect(isModelArchiveError(error)).toBe(true);
    const lookalike = Object.assign(new Error('x'), { name: 'ModelArchiveError', code: 'INPUT_NOT_FOUND' });
    expect(isModelArchiveError(lookalike)).toBe(true);
    expect(isModelArchiveError(Object.assign(new Error('x'), { name: 'ModelArchiveError', code: 'NOPE' }))).toBe(false);
    expect(isModelArchiveError(new Error('plain'))).toBe(false);
    expect(error.toJSON()).toEqual({ code: 'INPUT_NOT_FOUND', message: 'missing', details: { path: 'x' } });
  });
});
