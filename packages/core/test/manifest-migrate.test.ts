import { describe, expect, it } from 'vitest';

import { type LegacyMmsManifest, migrateLegacyManifest, parseManifest, serializeManifest } from '@model-archiver/core';

// The layout written by MMS 0.x `mxnet-model-export` (version fields were JSON numbers).
const LEGACY_TEXT = JSON.stringify({
  Engine: { MXNet: 0.12 },
  'Model-Archive-Description': 'resnet-18',
  License: 'Apache 2.0',
  'Model-Archive-Version': 0.1,
  'Model-Server': 0.1,
  Model: {
    Description: 'Resnet-18',
    Service: 'mxnet_vision_service.py',
    Symbol: 'resnet-18-symbol.json',
    Parameters: 'resnet-18-0000.params',
    Signature: 'signature.json',
    'Model-Name': 'resnet-18',
  },
  'Created-By': { Author: 'mxnet-sdk', 'Author-Email': 'mxnet-sdk-dev@amazon.com' },
});

const legacyOf = (json: unknown): LegacyMmsManifest => {
  const parsed = parseManifest(json, { path: 'MANIFEST.json' });
  expect(parsed.flavour).toBe('legacy-mms');
  return parsed.manifest as LegacyMmsManifest;
};

describe('migrateLegacyManifest', () => {
  it('builds the MMS 1.0 manifest MMS LegacyManifest.migrate() builds, in MMS key order', () => {
    const migrated = migrateLegacyManifest(legacyOf(LEGACY_TEXT));
    expect(migrated).toEqual({
      runtime: 'python',
      model: {
        modelName: 'resnet-18',
        handler: 'mxnet_vision_service.py',
        description: 'Resnet-18',
        modelVersion: 'snapshot',
        extensions: { parametersFile: 'resnet-18-0000.params', symbolFile: 'resnet-18-symbol.json' },
      },
      engine: { engineName: 'MXNet', engineVersion: '0.12' },
      license: 'Apache 2.0',
      modelServerVersion: '1.0',
      description: 'resnet-18',
      implementationVersion: '1.0',
      specificationVersion: '0.1',
      publisher: { author: 'mxnet-sdk', email: 'mxnet-sdk-dev@amazon.com' },
    });
    expect(Object.keys(migrated)).toEqual([
      'runtime',
      'model',
      'engine',
      'license',
      'modelServerVersion',
      'description',
      'implementationVersion',
      'specificationVersion',
      'publisher',
    ]);
  });

  it('gives a manifest that parses as mms', () => {
    const migrated = migrateLegacyManifest(legacyOf(LEGACY_TEXT));
    expect(parseManifest(serializeManifest(migrated)).flavour).toBe('mms');
  });

  it('leaves out what the legacy manifest lacks and keeps an empty extensions map', () => {
    const migrated = migrateLegacyManifest(legacyOf({ Model: { 'Model-Name': 'm', Service: 's.py' } }));
    expect(migrated).toEqual({
      runtime: 'python',
      model: { modelName: 'm', handler: 's.py', modelVersion: 'snapshot', extensions: {} },
      modelServerVersion: '1.0',
      implementationVersion: '1.0',
      specificationVersion: '0.1',
    });
  });

  it('writes the engine version as Java Double.toString does and only for a numeric MXNet entry', () => {
    const engineOf = (Engine: Record<string, unknown>) =>
      migrateLegacyManifest(legacyOf({ Engine, Model: { 'Model-Name': 'm', Service: 's' } })).engine;
    expect(engineOf({ MXNet: 1 })).toEqual({ engineName: 'MXNet', engineVersion: '1.0' });
    expect(engineOf({ MXNet: 1.2 })).toEqual({ engineName: 'MXNet', engineVersion: '1.2' });
    expect(engineOf({ MXNet: 12345678 })).toEqual({ engineName: 'MXNet', engineVersion: '1.2345678E7' });
    expect(engineOf({ MXNet: '1.2' })).toBeUndefined();
    expect(engineOf({ TensorFlow: 1 })).toBeUndefined();
  });

  it('keeps a partial Created-By as a partial publisher', () => {
    const migrated = migrateLegacyManifest(legacyOf({ 'Created-By': { Author: 'a' }, Model: { 'Model-Name': 'm', Service: 's' } }));
    expect(migrated.publisher).toEqual({ author: 'a' });
  });
});
