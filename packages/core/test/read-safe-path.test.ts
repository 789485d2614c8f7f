import { checkNameCollisions, DEFAULT_READ_LIMITS, isSafeEntryPath, normalizeEntryPath, resolveLinkTarget } from '@model-archiver/core';
import { describe, expect, it } from 'vitest';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('normalizeEntryPath', () => {
  it.each([
    ['model.onnx', 'model.onnx'],
    ['./model/a.onnx', 'model/a.onnx'],
    ['a//b/./c', 'a/b/c'],
    ['dir/', 'dir'],
    ['./', ''],
    ['..hidden/x..y', '..hidden/x..y'],
    ['caf\u00e9/mod\u00e8le.onnx', 'caf\u00e9/mod\u00e8le.onnx'],
  ])('turns %j into %j', (name, canonical) => {
    expect(normalizeEntryPath(name, DEFAULT_READ_LIMITS)).toBe(canonical);
  });

  it.each([
    ['../x', 'ENTRY_PATH_TRAVERSAL'],
    ['a/../../x', 'ENTRY_PATH_TRAVERSAL'],
    ['a/..', 'ENTRY_PATH_TRAVERSAL'],
    ['/etc/passwd', 'ENTRY_ABSOLUTE_PATH'],
    ['//server/share', 'ENTRY_ABSOLUTE_PATH'],
    ['C:/x', 'ENTRY_DRIVE_PATH'],
    ['c:x', 'ENTRY_DRIVE_PATH'],
    ['C:\\x', 'ENTRY_DRIVE_PATH'],
    ['a\\b', 'ENTRY_BACKSLASH_PATH'],
    ['\\\\server\\share', 'ENTRY_BACKSLASH_PATH'],
    ['a\u0000b', 'ENTRY_NUL_BYTE'],
    ['a\nb', 'ENTRY_NUL_BYTE'],
    ['a\u007fb', 'ENTRY_NUL_BYTE'],
    ['x'.repeat(4097), 'LIMIT_PATH_LENGTH'],
    ['a/'.repeat(65) + 'b', 'LIMIT_PATH_LENGTH'],
  ])('refuses %j with %s', (name, code) => {
    expect(codeOf(() => normalizeEntryPath(name, DEFAULT_READ_LIMITS))).toBe(code);
    expect(isSafeEntryPath(name, DEFAULT_READ_LIMITS)).toBe(false);
  });

  it('counts the length limit in UTF-8 bytes, not characters', () => {
    const name = '\u00e9'.repeat(2049);
    expect(codeOf(() => normalizeEntryPath(name, DEFAULT_READ_LIMITS))).toBe('LIMIT_PATH_LENGTH');
  });
});

describe('resolveLinkTarget', () => {
  it('resolves symlink targets relative to the link folder', () => {
    expect(resolveLinkTarget('a/b/link', '../c.txt', 'symlink')).toBe('a/c.txt');
    expect(resolveLinkTarget('link', './x/./y', 'symlink')).toBe('x/y');
  });

  it('resolves hard link targets from the archive root', () => {
    expect(resolveLinkTarget('a/b/link', 'c.txt', 'hardlink')).toBe('c.txt');
  });

  it.each([['/etc/passwd'], ['../x'], ['a/../../x'], ['C:/x'], ['a\\b'], ['']])('returns undefined for the escaping target %j', (target) => {
    expect(resolveLinkTarget('link', target, 'symlink')).toBeUndefined();
  });
});

describe('checkNameCollisions', () => {
  const f = (path: string, type = 'file') => ({ path, type });

  it('accepts distinct names and repeated folder entries', () => {
    expect(() => checkNameCollisions([f('a', 'directory'), f('a', 'directory'), f('a/b'), f('A/c')])).not.toThrow();
  });

  it.each([
    [[f('x'), f('x')], 'ENTRY_DUPLICATE'],
    [[f('Model.onnx'), f('model.onnx')], 'ENTRY_CASE_COLLISION'],
    [[f('caf\u00e9'), f('cafe\u0301')], 'ENTRY_UNICODE_COLLISION'],
    [[f('a'), f('a/b')], 'ENTRY_DUPLICATE'],
    [[f('a/b'), f('a')], 'ENTRY_DUPLICATE'],
    [[f('A'), f('a/b')], 'ENTRY_CASE_COLLISION'],
    [[f('d', 'symlink'), f('d/x')], 'ENTRY_SYMLINK_ESCAPES'],
    [[f('d/x'), f('d', 'symlink')], 'ENTRY_SYMLINK_ESCAPES'],
  ])('refuses %j with %s', (entries, code) => {
    expect(codeOf(() => checkNameCollisions(entries))).toBe(code);
  });
});
