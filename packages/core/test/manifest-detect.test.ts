import { describe, expect, it } from 'vitest';

import { detectFlavour } from '@model-archiver/core';

const model = { modelName: 'm', handler: 'h' };

describe('detectFlavour', () => {
  it('detects node by runtime "node" or by manifestVersion', () => {
    expect(detectFlavour({ runtime: 'node', model })).toBe('node');
    expect(detectFlavour({ manifestVersion: 1, runtime: 'python', model })).toBe('node');
    expect(detectFlavour({ manifestVersion: 1, createdOn: 'x', archiverVersion: '1' })).toBe('node');
  });

  it('detects torchserve by archiverVersion, createdOn or runtime LSP', () => {
    expect(detectFlavour({ archiverVersion: '0.12.0', runtime: 'python', model })).toBe('torchserve');
    expect(detectFlavour({ createdOn: '24/11/2026 08:54:37', runtime: 'python', model })).toBe('torchserve');
    expect(detectFlavour({ runtime: 'LSP', model })).toBe('torchserve');
  });

  it('prefers torchserve markers over MMS version fields', () => {
    expect(detectFlavour({ archiverVersion: '0.1.0', specificationVersion: '1.0', runtime: 'python', model })).toBe('torchserve');
  });

  it('detects mms by any of its version fields', () => {
    for (const key of ['specificationVersion', 'modelServerVersion', 'implementationVersion']) {
      expect(detectFlavour({ [key]: '1.0', runtime: 'python', model })).toBe('mms');
    }
  });

  it('detects legacy-mms by Model or Engine unless read from MAR-INF/MANIFEST.json', () => {
    expect(detectFlavour({ Model: { Service: 's' } })).toBe('legacy-mms');
    expect(detectFlavour({ Engine: { MXNet: 0.12 } }, 'MANIFEST.json')).toBe('legacy-mms');
    expect(detectFlavour({ Model: { Service: 's' } }, 'MAR-INF/MANIFEST.json')).toBe('mms');
  });

  it('falls back to legacy-mms for the top-level MANIFEST.json and to mms otherwise', () => {
    expect(detectFlavour({ runtime: 'python', model }, 'MANIFEST.json')).toBe('legacy-mms');
    expect(detectFlavour({ runtime: 'python', model }, './MANIFEST.json')).toBe('legacy-mms');
    expect(detectFlavour({ runtime: 'python', model })).toBe('mms');
    expect(detectFlavour({ runtime: 'python', model }, 'MAR-INF/MANIFEST.json')).toBe('mms');
  });

  it('never throws on values that are not objects', () => {
    for (const value of [null, undefined, 1, 'text', [], [{ runtime: 'node' }]]) {
      expect(detectFlavour(value)).toBe('mms');
    }
    expect(detectFlavour(null, 'MANIFEST.json')).toBe('legacy-mms');
  });

  it('ignores inherited keys', () => {
    const json = Object.create({ manifestVersion: 1 }) as Record<string, unknown>;
    json['runtime'] = 'python';
    expect(detectFlavour(json)).toBe('mms');
  });
});
