import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseHandlerString, planArchive, resolveHandlerTarget, type ParsedHandler } from '@model-archiver/core';
import * as reading from '@model-archiver/core/read';

import { parseHandler } from '../src/builder/plan/handler-spec.js';

describe('parseHandlerString', () => {
  it.each<[string, string, ParsedHandler]>([
    ['bare module', 'handler', { module: 'handler' }],
    ['bare module with extension', 'handler.py', { module: 'handler.py' }],
    ['dotted module', 'pkg.mod', { module: 'pkg.mod' }],
    ['module:fn', 'handler:handle', { module: 'handler', function: 'handle' }],
    ['dir/mod.py:fn', 'dir/mod.py:fn', { module: 'dir/mod.py', function: 'fn' }],
    ['./x', './x', { module: './x' }],
    ['./x:fn', './x.mjs:run', { module: './x.mjs', function: 'run' }],
    ['backslashes', 'lib\\deep\\svc', { module: 'lib\\deep\\svc' }],
    ['backslashes with fn', 'lib\\deep\\svc.mjs:infer', { module: 'lib\\deep\\svc.mjs', function: 'infer' }],
    ['drive letter, backslash', 'C:\\m\\h.py', { module: 'C:\\m\\h.py' }],
    ['drive letter, backslash, fn', 'C:\\m\\h.py:fn', { module: 'C:\\m\\h.py', function: 'fn' }],
    ['drive letter, slash', 'C:/m/h', { module: 'C:/m/h' }],
    ['drive letter, slash, fn', 'd:/m/h.mjs:$run_2', { module: 'd:/m/h.mjs', function: '$run_2' }],
    ['drive letter alone, slash', 'C:/', { module: 'C:/' }],
    ['C:x is module C, function x', 'C:x', { module: 'C', function: 'x' }],
    ['letter, colon, nothing', 'C:', { module: 'C' }],
    ['trailing colon', 'mod:', { module: 'mod' }],
    ['trailing colon after a function', 'mod:fn:', { module: 'mod:fn' }],
    ['non-identifier after colon', 'mod:1fn', { module: 'mod:1fn' }],
    ['non-identifier (dash) after colon', 'mod:my-fn', { module: 'mod:my-fn' }],
    ['path after colon', 'mod:sub/x', { module: 'mod:sub/x' }],
    ['last colon wins', 'a:b:c', { module: 'a:b', function: 'c' }],
    ['leading colon names no function', ':fn', { module: ':fn' }],
    ['absolute posix path with fn', '/abs/path/fn_mod:infer', { module: '/abs/path/fn_mod', function: 'infer' }],
    ['leading and trailing spaces', '  svc:handle \n', { module: 'svc', function: 'handle' }],
    ['spaces around a bare module', ' onnx ', { module: 'onnx' }],
    ['empty', '', { module: '' }],
    ['blank', '   ', { module: '' }],
  ])('%s: %j', (_form, handler, expected) => {
    expect(parseHandlerString(handler)).toEqual(expected);
  });

  it('is the same function from the light entry point', () => {
    expect(reading.parseHandlerString).toBe(parseHandlerString);
  });
});

describe('"C:x" means module C, function x for the builder, the linter and the runtime', () => {
  it('builder: parseHandler and planArchive (torchserve copies C.py, the manifest keeps C:x)', async () => {
    expect(parseHandler('C:x')).toEqual({ raw: 'C:x', filePart: 'C', fn: 'x' });
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'vocab-cx-')));
    try {
      await writeFile(path.join(dir, 'C.py'), 'def x(data, context): return data\n');
      await writeFile(path.join(dir, 'C.mjs'), 'export const x = (batch) => batch;\n');
      const common = { modelName: 'm', version: '1.0', handler: 'C:x', cwd: dir, env: {} };
      const torchserve = await planArchive({ ...common, flavour: 'torchserve' });
      expect(torchserve.manifestHandler).toBe('C:x');
      expect(torchserve.files.map((f) => f.archivePath)).toEqual(['C.py']);
      const node = await planArchive({ ...common, flavour: 'node' });
      expect(node.manifestHandler).toBe('C.mjs:x');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('linter: python and node targets find module C with function x', () => {
    const has = (...paths: string[]) => (p: string) => paths.includes(p);
    expect(resolveHandlerTarget('C:x', 'python', has('C.py'))).toMatchObject({ found: 'C.py', functionName: 'x' });
    expect(resolveHandlerTarget('C:x', 'node', has('C.mjs'))).toMatchObject({ found: 'C.mjs', functionName: 'x' });
    expect(resolveHandlerTarget('C:\\m\\h.mjs:run', 'node', has('h.mjs'))).toMatchObject({ found: 'h.mjs', functionName: 'run' });
    expect(resolveHandlerTarget('C:/m/h', 'node', has('h.mjs'))).toMatchObject({ found: 'h.mjs' });
    expect(resolveHandlerTarget('C:/m/h', 'node', has('h.mjs')).functionName).toBeUndefined();
  });
});
