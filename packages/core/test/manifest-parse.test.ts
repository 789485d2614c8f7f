import { describe, expect, it } from 'vitest';

import { type ManifestIssue, isModelArchiveError, parseManifest, safeParseManifest } from '@model-archiver/core';

const MMS = {
  runtime: 'python',
  model: { modelName: 'mymodel', handler: 'handler:handle' },
  modelServerVersion: '1.0',
  implementationVersion: '1.0',
  specificationVersion: '1.0',
};

const TS = {
  createdOn: '24/11/2026 08:54:37',
  runtime: 'python',
  model: { modelName: 'mymodel', serializedFile: 'model.pt', handler: 'handler.py', modelVersion: '1.0' },
  archiverVersion: '0.12.0',
};

const NODE = {
  manifestVersion: 1,
  createdOn: '2024-01-02T03:04:05Z',
  runtime: 'node',
  model: { modelName: 'ocr', serializedFile: 'model.onnx', handler: 'handler.mjs:handle', modelVersion: '1.0' },
  archiverVersion: '0.1.0',
};

const LEGACY = {
  Engine: { MXNet: 0.12 },
  'Model-Archive-Description': 'squeezenet',
  License: 'Apache 2.0',
  'Model-Archive-Version': 0.1,
  Model: { 'Model-Name': 'squeezenet_v1.1', Service: 'mxnet_vision_service.py', Parameters: 'p.params', Symbol: 's.json' },
};

/** The issues of a failed parse (the thrown error's details), or [] when it parsed. */
function issuesOf(input: unknown, options?: Parameters<typeof parseManifest>[1]): ManifestIssue[] {
  try {
    parseManifest(input, options);
    return [];
  } catch (error) {
    expect(isModelArchiveError(error) && error.code).toBe('MANIFEST_INVALID');
    return (error as { details: { issues: ManifestIssue[] } }).details.issues;
  }
}

const pathsOf = (input: unknown, options?: Parameters<typeof parseManifest>[1]): string[] =>
  issuesOf(input, options)
    .map((i) => i.path)
    .sort();

describe('parseManifest: accepted manifests', () => {
  it('accepts the MMS reference manifest and reports flavour mms', () => {
    expect(parseManifest(MMS)).toEqual({ flavour: 'mms', manifest: MMS });
  });

  it('accepts the TorchServe reference manifest', () => {
    expect(parseManifest(JSON.stringify(TS))).toEqual({ flavour: 'torchserve', manifest: TS });
  });

  it('accepts a node manifest', () => {
    expect(parseManifest(NODE).flavour).toBe('node');
  });

  it('accepts a legacy MMS 0.x manifest read from the top-level MANIFEST.json', () => {
    expect(parseManifest(LEGACY, { path: 'MANIFEST.json' }).flavour).toBe('legacy-mms');
  });

  it('parses UTF-8 bytes', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(MMS))).manifest).toEqual(MMS);
  });

  it('keeps unknown keys of MMS and TorchServe manifests, as the Java readers ignore them', () => {
    const mms = { ...MMS, futureKey: 1, model: { ...MMS.model, batch_size: 1 } };
    const ts = { ...TS, extra: { a: 1 }, model: { ...TS.model, config: 'x.yaml' } };
    expect(parseManifest(mms).manifest).toEqual(mms);
    expect(parseManifest(ts).manifest).toEqual(ts);
  });

  it('accepts every optional MMS field', () => {
    const full = {
      ...MMS,
      model: { ...MMS.model, description: 'd', modelVersion: '2.0', extensions: { a: [1] } },
      engine: { engineName: 'MXNet', engineVersion: '1.2' },
      license: 'Apache 2.0',
      description: 'desc',
      userData: [1, 'two'],
      publisher: { author: 'me', email: 'me@example.com' },
    };
    expect(parseManifest(full).manifest).toEqual(full);
  });

  it('accepts MMS manifests without version fields and TorchServe ones without createdOn/archiverVersion (the readers default or only warn)', () => {
    expect(parseManifest({ runtime: 'python3', model: MMS.model }).flavour).toBe('mms');
    const { createdOn: _c, archiverVersion: _a, ...bare } = TS;
    expect(parseManifest(bare, { flavour: 'torchserve' }).flavour).toBe('torchserve');
  });

  it('accepts the TorchServe LSP runtime and a built-in handler name', () => {
    expect(parseManifest({ ...TS, runtime: 'LSP', model: { ...TS.model, handler: 'image_classifier' } }).flavour).toBe(
      'torchserve',
    );
  });

  it('accepts node createdOn with milliseconds', () => {
    expect(parseManifest({ ...NODE, createdOn: '2024-01-02T03:04:05.123Z' }).flavour).toBe('node');
  });
});

describe('parseManifest: rejected manifests report every problem with its path', () => {
  it('reports each missing required MMS field', () => {
    expect(pathsOf({ specificationVersion: '1.0' })).toEqual(['model', 'runtime']);
    expect(pathsOf({ ...MMS, model: {} })).toEqual(['model.handler', 'model.modelName']);
  });

  it('reports wrong types and values of known MMS fields at once', () => {
    const bad = {
      ...MMS,
      runtime: 'java',
      model: { modelName: 'bad name', handler: 5, modelVersion: '1/0', extensions: [] },
      engine: { engineVersion: '1' },
      license: 2,
    };
    expect(pathsOf(bad)).toEqual([
      'engine.engineName',
      'license',
      'model.extensions',
      'model.handler',
      'model.modelName',
      'model.modelVersion',
      'runtime',
    ]);
  });

  it('requires model.modelVersion in TorchServe manifests and checks the runtime enum', () => {
    const { modelVersion: _v, ...model } = TS.model;
    expect(pathsOf({ ...TS, runtime: 'python2', model })).toEqual(['model.modelVersion', 'runtime']);
  });

  it('reports TorchServe file references that leave the archive', () => {
    const model = { ...TS.model, serializedFile: '../../etc/passwd', modelFile: '/abs/model.py', configFile: 'c:\\x.yaml' };
    const issues = issuesOf({ ...TS, model });
    expect(issues.map((i) => [i.path, i.code]).sort()).toEqual([
      ['model.configFile', 'unsafe_file_reference'],
      ['model.modelFile', 'unsafe_file_reference'],
      ['model.serializedFile', 'unsafe_file_reference'],
    ]);
  });

  it('reports schema problems and rule problems together', () => {
    const model = { ...TS.model, modelName: '', serializedFile: '../w.pt' };
    expect(pathsOf({ ...TS, runtime: 1, model })).toEqual(['model.modelName', 'model.serializedFile', 'runtime']);
  });

  it('rejects unknown keys in node manifests, at top level and in model', () => {
    const issues = issuesOf({ ...NODE, extra: 1, model: { ...NODE.model, typo: 'x' } });
    expect(issues.map((i) => [i.path, i.code]).sort()).toEqual([
      ['', 'unrecognized_keys'],
      ['model', 'unrecognized_keys'],
    ]);
  });

  it('checks node manifestVersion, createdOn, runtime and archiverVersion', () => {
    const bad = { ...NODE, manifestVersion: 2, createdOn: '24/11/2026 08:54:37', archiverVersion: '' };
    expect(pathsOf(bad)).toEqual(['archiverVersion', 'createdOn', 'manifestVersion']);
    expect(pathsOf({ ...NODE, runtime: 'python' }, { flavour: 'node' })).toEqual(['runtime']);
    expect(pathsOf({ ...NODE, createdOn: '2024-01-02T03:04:05+01:00' })).toEqual(['createdOn']);
  });

  it.each([
    ['../escape.mjs', 'invalid_handler'],
    ['/abs/handler.mjs', 'invalid_handler'],
    ['handler.mjs:', 'invalid_handler'],
    [':handle', 'invalid_handler'],
    ['   ', 'blank_handler'],
  ])('rejects the node handler %j (%s)', (handler, code) => {
    const issues = issuesOf({ ...NODE, model: { ...NODE.model, handler } });
    expect(issues.map((i) => [i.path, i.code])).toEqual([['model.handler', code]]);
  });

  it('accepts node handlers in sub-folders and built-in names', () => {
    for (const handler of ['src/handler.js:run', 'image_classifier', 'handler.cjs']) {
      expect(issuesOf({ ...NODE, model: { ...NODE.model, handler } })).toEqual([]);
    }
  });

  it('requires Model, Model-Name and Service in legacy manifests', () => {
    expect(pathsOf({ License: 'x' }, { flavour: 'legacy-mms' })).toEqual(['Model']);
    expect(pathsOf({ Model: { Parameters: 'p' } }, { path: 'MANIFEST.json' })).toEqual(['Model.Model-Name', 'Model.Service']);
  });

  it('reports a value that is not an object at the root path', () => {
    expect(pathsOf([])).toEqual(['']);
    expect(pathsOf(null)).toEqual(['']);
  });

  it('throws MANIFEST_INVALID with an invalid_json issue for text that is not JSON', () => {
    expect(issuesOf('{"runtime": ')).toEqual([{ path: '', code: 'invalid_json', message: expect.any(String) }]);
    expect(issuesOf('\uFEFF{}').map((i) => i.code)).toEqual(['invalid_json']);
    expect(issuesOf(Buffer.from([0x7b, 0xff, 0x7d])).map((i) => i.code)).toEqual(['invalid_json']);
  });

  it('validates against the requested flavour instead of the detected one', () => {
    expect(pathsOf(MMS, { flavour: 'torchserve' })).toEqual(['model.modelVersion']);
  });

  it('puts the flavour, the issues and the ZodError cause on the error', () => {
    try {
      parseManifest({ ...MMS, runtime: 'x' }, { path: 'MAR-INF/MANIFEST.json' });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'MANIFEST_INVALID', details: { flavour: 'mms', path: 'MAR-INF/MANIFEST.json' } });
      expect((error as Error).cause).toMatchObject({ name: 'ZodError' });
    }
  });
});

describe('safeParseManifest', () => {
  it('returns ok with the flavour and manifest', () => {
    expect(safeParseManifest(TS)).toEqual({ ok: true, flavour: 'torchserve', manifest: TS });
  });

  it('returns the issues and the error instead of throwing', () => {
    const result = safeParseManifest({ ...TS, model: { ...TS.model, modelName: 'a b' } });
    expect(result).toMatchObject({ ok: false, flavour: 'torchserve', issues: [{ path: 'model.modelName' }] });
    expect(!result.ok && result.error.code).toBe('MANIFEST_INVALID');
  });

  it('returns flavour undefined for text that is not JSON', () => {
    expect(safeParseManifest('nope')).toMatchObject({ ok: false, flavour: undefined, issues: [{ code: 'invalid_json' }] });
  });
});
