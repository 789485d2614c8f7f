import { describe, expect, it } from 'vitest';

import {
  ARCHIVE_FORMATS,
  ARCHIVE_FORMAT_TRAITS,
  COMPRESSION_LEVELS,
  MANIFEST_FLAVOURS,
  MmsRuntimeSchema,
  NODE_BUILTIN_HANDLERS,
  NodeManifestSchema,
  PYTHON_RUNTIMES,
  RUNTIMES,
  RUNTIMES_BY_FLAVOUR,
  TORCHSERVE_BUILTIN_HANDLERS,
  TORCHSERVE_LSP_BUILTIN_HANDLERS,
  TorchServeRuntimeSchema,
  WRITABLE_FLAVOURS,
  builtinHandlersOf,
  checkCompressionLevel,
  defaultRuntimeOf,
  isArchiveFormat,
  isBuiltinHandler,
  isPythonRuntime,
  isRuntimeOf,
  nodeModuleCandidates,
  stripArchiveSuffix,
} from '@model-archiver/core';

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
};

describe('archive formats', () => {
  it('names the four reference formats, each with its output suffix', () => {
    expect(ARCHIVE_FORMATS).toEqual(['default', 'zip-store', 'tgz', 'no-archive']);
    expect(Object.keys(ARCHIVE_FORMAT_TRAITS).sort()).toEqual([...ARCHIVE_FORMATS].sort());
    expect(ARCHIVE_FORMATS.map((f) => ARCHIVE_FORMAT_TRAITS[f].suffix)).toEqual(['.mar', '.mar', '.tar.gz', '']);
    expect(ARCHIVE_FORMATS.filter((f) => ARCHIVE_FORMAT_TRAITS[f].storeOnly)).toEqual(['zip-store']);
    expect(isArchiveFormat('tgz')).toBe(true);
    expect(isArchiveFormat('zip')).toBe(false);
  });

  it('checks the compression level once: whole numbers 1-9, default 6', () => {
    expect(checkCompressionLevel(undefined)).toBe(COMPRESSION_LEVELS.default);
    expect(COMPRESSION_LEVELS.default).toBe(6);
    expect(checkCompressionLevel(1)).toBe(1);
    expect(checkCompressionLevel(9)).toBe(9);
    for (const level of [0, 10, 2.5, Number.NaN, -1]) expect(codeOf(() => checkCompressionLevel(level))).toBe('INVALID_OPTION');
  });
});

describe('stripArchiveSuffix', () => {
  it.each([
    ['resnet-18.mar', 'resnet-18'],
    ['m.tar.gz', 'm'],
    ['m.tgz', 'm'],
    ['m.zip', 'm'],
    ['legacy.model', 'legacy'],
    ['UPPER.MAR', 'UPPER'],
    ['M.Tar.Gz', 'M'],
    ['v1.0.mar', 'v1.0'],
    ['weights.onnx', 'weights.onnx'],
    ['folder', 'folder'],
    ['.mar', ''],
    ['x.gz', 'x.gz'],
  ])('%s -> %s', (name, stripped) => {
    expect(stripArchiveSuffix(name)).toBe(stripped);
  });
});

describe('flavours and runtimes', () => {
  it('lists the flavours, the writable ones, and the runtimes of each', () => {
    expect(MANIFEST_FLAVOURS).toEqual(['mms', 'torchserve', 'node', 'legacy-mms']);
    expect(WRITABLE_FLAVOURS).toEqual(['mms', 'torchserve', 'node']);
    expect(RUNTIMES_BY_FLAVOUR).toEqual({ mms: ['python', 'python2', 'python3'], torchserve: ['python', 'python3', 'LSP'], node: ['node'] });
    for (const flavour of WRITABLE_FLAVOURS) for (const runtime of RUNTIMES_BY_FLAVOUR[flavour]) expect(RUNTIMES).toContain(runtime);
    expect(new Set(Object.values(RUNTIMES_BY_FLAVOUR).flat())).toEqual(new Set(RUNTIMES));
    expect(WRITABLE_FLAVOURS.map(defaultRuntimeOf)).toEqual(['python', 'python', 'node']);
    expect(isRuntimeOf('torchserve', 'python2')).toBe(false);
    expect(isRuntimeOf('mms', 'python2')).toBe(true);
  });

  it('the manifest schemas accept exactly the runtimes of their flavour', () => {
    expect(MmsRuntimeSchema.options).toEqual([...RUNTIMES_BY_FLAVOUR.mms]);
    expect(TorchServeRuntimeSchema.options).toEqual([...RUNTIMES_BY_FLAVOUR.torchserve]);
    expect(NodeManifestSchema.shape.runtime.value).toBe('node');
  });

  it('knows which runtimes are Python', () => {
    expect(PYTHON_RUNTIMES).toEqual(['python', 'python2', 'python3']);
    expect(RUNTIMES.filter(isPythonRuntime)).toEqual(['python', 'python2', 'python3']);
  });
});

describe('built-in handlers', () => {
  it('lists TorchServe python, TorchServe LSP and node runtime built-ins', () => {
    expect(TORCHSERVE_BUILTIN_HANDLERS).toContain('image_classifier');
    expect(TORCHSERVE_BUILTIN_HANDLERS).toHaveLength(8);
    expect(TORCHSERVE_LSP_BUILTIN_HANDLERS).toEqual(['BaseHandler', 'TorchScriptHandler']);
    expect(NODE_BUILTIN_HANDLERS).toEqual(['onnx', 'image_classifier']);
    expect(builtinHandlersOf('node')).toBe(NODE_BUILTIN_HANDLERS);
    expect(builtinHandlersOf('LSP')).toBe(TORCHSERVE_LSP_BUILTIN_HANDLERS);
    expect(builtinHandlersOf('python3')).toBe(TORCHSERVE_BUILTIN_HANDLERS);
    expect(isBuiltinHandler('onnx', 'node')).toBe(true);
    expect(isBuiltinHandler('onnx', 'python')).toBe(false);
    expect(isBuiltinHandler('base_handler', 'python')).toBe(true);
  });

  it('node module candidates: extensions tried in order, absolute paths keep their last part, escapes refused', () => {
    expect(nodeModuleCandidates('svc')).toEqual(['svc.mjs', 'svc.js', 'svc.cjs']);
    expect(nodeModuleCandidates('C:\\m\\svc.cjs')).toEqual(['svc.cjs']);
    expect(nodeModuleCandidates('a/../b')).toEqual([]);
  });
});
