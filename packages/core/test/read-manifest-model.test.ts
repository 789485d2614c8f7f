import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, expectTypeOf, it } from 'vitest';

import { buildArchive, manifestModel, openArchive, parseManifest, type AnyManifest, type ArchiveManifest, type NodeManifest } from '@model-archiver/core';

const created = '01/02/2024 03:04:05';

describe('manifestModel', () => {
  it('reads the model fields of every flavour with its own names', () => {
    const mms = parseManifest({ runtime: 'python3', model: { modelName: 'a', handler: 'h:fn', modelVersion: '2.0' }, modelServerVersion: '1.0', implementationVersion: '1.0', specificationVersion: '1.0' });
    expect(manifestModel(mms)).toEqual({ modelName: 'a', handler: 'h:fn', modelVersion: '2.0' });
    const torchserve = parseManifest({
      createdOn: created,
      runtime: 'python',
      model: { modelName: 'b', serializedFile: 'm.pt', handler: 'handler.py', modelVersion: '1.0', configFile: 'c.yaml' },
      archiverVersion: '0.12.0',
    });
    expect(manifestModel(torchserve)).toEqual({ modelName: 'b', handler: 'handler.py', modelVersion: '1.0', serializedFile: 'm.pt', configFile: 'c.yaml' });
    const legacy = parseManifest({ Model: { 'Model-Name': 'c', Service: 'svc.py' } }, { path: 'MANIFEST.json' });
    expect(legacy.flavour).toBe('legacy-mms');
    expect(manifestModel(legacy)).toEqual({ modelName: 'c', handler: 'svc.py' });
  });

  it('is given the zod-inferred manifest by readManifest (no Record<string, unknown> in between)', async () => {
    expectTypeOf<ArchiveManifest['manifest']>().toEqualTypeOf<AnyManifest>();
    const dir = await mkdtemp(path.join(tmpdir(), 'manifest-model-'));
    try {
      await writeFile(path.join(dir, 'svc.mjs'), 'export const handle = (b) => b;');
      await buildArchive({ modelName: 'typed', version: '3.1', handler: 'svc.mjs:handle', flavour: 'node', cwd: dir, exportPath: dir, env: {} });
      const archive = await openArchive(path.join(dir, 'typed.mar'));
      try {
        const read = await archive.readManifest();
        expect(read.flavour).toBe('node');
        if (read.flavour !== 'node') return;
        expectTypeOf(read.manifest).toEqualTypeOf<NodeManifest>();
        expect(read.manifest.model.modelVersion).toBe('3.1');
        expect(manifestModel(read)).toEqual({ modelName: 'typed', handler: 'svc.mjs:handle', modelVersion: '3.1' });
      } finally {
        await archive.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
