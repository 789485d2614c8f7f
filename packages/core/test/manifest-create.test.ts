import { describe, expect, it } from 'vitest';

import {
  ARCHIVER_VERSION,
  type CreateManifestInput,
  TORCHSERVE_ARCHIVER_VERSION,
  createManifest,
  formatIsoUtc,
  formatTorchServeDate,
  parseManifest,
  parseTorchServeDate,
  serializeManifest,
} from '@model-archiver/core';

const CREATED = new Date('2024-01-02T03:04:05.678Z');

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
};

const keysDeep = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value).map(([k, v]) => (typeof v === 'object' && v !== null ? { [k]: keysDeep(v) } : k))
    : value;

describe('createManifest: mms', () => {
  it('writes model.description and model.modelVersion after the handler, in MMS order', () => {
    const manifest = createManifest({
      flavour: 'mms',
      modelName: 'm',
      handler: 'svc:handle',
      description: 'd',
      version: '2.0',
      createdOn: CREATED,
    });
    expect(keysDeep(manifest)).toEqual([
      'runtime',
      { model: ['modelName', 'handler', 'description', 'modelVersion'] },
      'modelServerVersion',
      'implementationVersion',
      'specificationVersion',
    ]);
    expect(manifest.model).toEqual({ modelName: 'm', handler: 'svc:handle', description: 'd', modelVersion: '2.0' });
  });

  it('refuses TorchServe-only files, which the MMS manifest cannot record', () => {
    for (const key of ['serializedFile', 'modelFile', 'requirementsFile', 'configFile'] as const) {
      const input: CreateManifestInput = { flavour: 'mms', modelName: 'm', handler: 'h', createdOn: CREATED, [key]: 'x' };
      expect(codeOf(() => createManifest(input))).toBe('INVALID_OPTION');
    }
  });

  it('refuses a runtime of another flavour', () => {
    expect(codeOf(() => createManifest({ flavour: 'mms', modelName: 'm', handler: 'h', runtime: 'LSP', createdOn: CREATED }))).toBe(
      'INVALID_OPTION',
    );
    expect(codeOf(() => createManifest({ flavour: 'mms', modelName: 'm', handler: 'h', runtime: 'node', createdOn: CREATED }))).toBe(
      'INVALID_OPTION',
    );
  });
});

describe('createManifest: torchserve', () => {
  const base = { flavour: 'torchserve', modelName: 'm', handler: 'handler.py', version: '1.0', createdOn: CREATED } as const;

  it('formats createdOn in UTC as "%d/%m/%Y %H:%M:%S" and defaults archiverVersion to 0.12.0', () => {
    const manifest = createManifest(base);
    expect(manifest.createdOn).toBe('02/01/2024 03:04:05');
    expect(manifest.archiverVersion).toBe(TORCHSERVE_ARCHIVER_VERSION);
    expect(TORCHSERVE_ARCHIVER_VERSION).toBe('0.12.0');
    expect(manifest.runtime).toBe('python');
  });

  it('stores the archiverVersion it is given', () => {
    expect(createManifest({ ...base, archiverVersion: '9.9.9' }).archiverVersion).toBe('9.9.9');
  });

  it('puts every field in TorchServe order with description last in model', () => {
    const manifest = createManifest({
      ...base,
      runtime: 'python3',
      description: 'd',
      configFile: 'c.yaml',
      requirementsFile: 'r.txt',
      modelFile: 'm.py',
      serializedFile: 'w.pt',
    });
    expect(keysDeep(manifest)).toEqual([
      'createdOn',
      'runtime',
      {
        model: ['modelName', 'serializedFile', 'handler', 'modelFile', 'modelVersion', 'requirementsFile', 'configFile', 'description'],
      },
      'archiverVersion',
    ]);
  });

  it('requires a version', () => {
    const { version: _v, ...input } = base;
    expect(codeOf(() => createManifest(input))).toBe('INVALID_OPTION');
  });

  it('accepts the LSP runtime and refuses python2', () => {
    expect(createManifest({ ...base, runtime: 'LSP' }).runtime).toBe('LSP');
    expect(codeOf(() => createManifest({ ...base, runtime: 'python2' }))).toBe('INVALID_OPTION');
  });

  it('refuses file references that leave the archive with MANIFEST_INVALID', () => {
    expect(codeOf(() => createManifest({ ...base, serializedFile: '../w.pt' }))).toBe('MANIFEST_INVALID');
  });
});

describe('createManifest: node', () => {
  const base = { flavour: 'node', modelName: 'ocr', handler: 'handler.mjs:handle', createdOn: CREATED } as const;

  it('writes manifestVersion first, ISO-8601 UTC createdOn to the second, runtime node', () => {
    const manifest = createManifest({ ...base, serializedFile: 'model.onnx', version: '2.1.0', description: 'ocr model' });
    expect(manifest).toEqual({
      manifestVersion: 1,
      createdOn: '2024-01-02T03:04:05Z',
      runtime: 'node',
      model: { modelName: 'ocr', serializedFile: 'model.onnx', handler: 'handler.mjs:handle', modelVersion: '2.1.0', description: 'ocr model' },
      archiverVersion: ARCHIVER_VERSION,
    });
    expect(keysDeep(manifest)).toEqual([
      'manifestVersion',
      'createdOn',
      'runtime',
      { model: ['modelName', 'serializedFile', 'handler', 'modelVersion', 'description'] },
      'archiverVersion',
    ]);
    expect(parseManifest(serializeManifest(manifest)).flavour).toBe('node');
  });

  it('defaults the version to 1.0 and archiverVersion to this package version', () => {
    const manifest = createManifest(base);
    expect(manifest.model.modelVersion).toBe('1.0');
    expect(ARCHIVER_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses python runtimes and handlers that leave the archive', () => {
    expect(codeOf(() => createManifest({ ...base, runtime: 'python' }))).toBe('INVALID_OPTION');
    expect(codeOf(() => createManifest({ ...base, handler: '../h.mjs' }))).toBe('MANIFEST_INVALID');
  });

  it('is deterministic for the same input', () => {
    expect(serializeManifest(createManifest(base))).toBe(serializeManifest(createManifest(base)));
  });
});

describe('createManifest: shared checks', () => {
  it.each(['mms', 'torchserve', 'node'] as const)('refuses bad names, versions, handlers and dates (%s)', (flavour) => {
    const ok = { flavour, modelName: 'm', handler: 'h', version: '1.0', createdOn: CREATED };
    expect(codeOf(() => createManifest(ok))).toBeUndefined();
    expect(codeOf(() => createManifest({ ...ok, modelName: 'a b' }))).toBe('MODEL_NAME_INVALID');
    expect(codeOf(() => createManifest({ ...ok, modelName: 'a..b' }))).toBe('MODEL_NAME_INVALID');
    expect(codeOf(() => createManifest({ ...ok, version: '1/0' }))).toBe('MODEL_VERSION_INVALID');
    expect(codeOf(() => createManifest({ ...ok, handler: ' ' }))).toBe('INVALID_OPTION');
    if (flavour !== 'mms') expect(codeOf(() => createManifest({ ...ok, createdOn: new Date(Number.NaN) }))).toBe('INVALID_OPTION');
  });

  it('refuses an unknown flavour', () => {
    const input = { flavour: 'legacy-mms', modelName: 'm', handler: 'h', createdOn: CREATED } as unknown as CreateManifestInput;
    expect(codeOf(() => createManifest(input))).toBe('INVALID_OPTION');
  });
});

describe('manifest dates', () => {
  it('formats and parses TorchServe dates in UTC', () => {
    expect(formatTorchServeDate(new Date('2026-11-24T08:54:37Z'))).toBe('24/11/2026 08:54:37');
    expect(parseTorchServeDate('24/11/2026 08:54:37')?.toISOString()).toBe('2026-11-24T08:54:37.000Z');
  });

  it('returns undefined for TorchServe dates with another layout or no real day', () => {
    expect(parseTorchServeDate('2026-11-24 08:54:37')).toBeUndefined();
    expect(parseTorchServeDate('31/02/2026 08:54:37')).toBeUndefined();
    expect(parseTorchServeDate('11/24/2026 08:54:37')).toBeUndefined();
  });

  it('formats ISO-8601 UTC without milliseconds', () => {
    expect(formatIsoUtc(new Date(Date.UTC(1980, 0, 1)))).toBe('1980-01-01T00:00:00Z');
  });
});
