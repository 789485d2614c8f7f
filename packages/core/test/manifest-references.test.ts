import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import {
  type CreateManifestInput,
  createManifest,
  parseManifest,
  parseTorchServeDate,
  serializeManifest,
} from '@model-archiver/core';

/**
 * Manifests of the archives made by the real MMS 1.0.4 and TorchServe 0.12.0 archivers: the repository's copy
 * (fixtures/reference-fixture/cases) or the shared reference folder next to the checkout (what .ci/run requires).
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const REFERENCE_DIRS = [join(REPO, 'fixtures/reference-fixture/cases'), join(REPO, '../shared/reference')];
const referenceDir = REFERENCE_DIRS.find((dir) => existsSync(join(dir, 'mms_default')));

interface ReferenceManifest {
  name: string;
  text: string;
}

/** The manifest text of one reference case (zip, tar.gz or the no-archive listing), or undefined when it made none. */
function readReferenceManifest(caseDir: string): string | undefined {
  const files = readdirSync(caseDir);
  const mar = files.find((f) => f.endsWith('.mar'));
  if (mar !== undefined) {
    return execFileSync('unzip', ['-p', join(caseDir, mar), 'MAR-INF/MANIFEST.json'], { encoding: 'utf8' });
  }
  const tgz = files.find((f) => f.endsWith('.tar.gz'));
  if (tgz !== undefined) {
    const root = tgz.slice(0, -'.tar.gz'.length);
    return execFileSync('tar', ['-xzOf', join(caseDir, tgz), `${root}/MAR-INF/MANIFEST.json`], { encoding: 'utf8' });
  }
  if (files.includes('listing.txt')) {
    // no-archive cases: the listing quotes the manifest verbatim between this header and the "---" line.
    const listing = readFileSync(join(caseDir, 'listing.txt'), 'utf8');
    const header = '## MAR-INF/MANIFEST.json (verbatim, then od -c of last bytes)\n';
    const start = listing.indexOf(header);
    const end = listing.indexOf('\n--- (no newline', start);
    if (start !== -1 && end !== -1) return listing.slice(start + header.length, end);
  }
  return undefined;
}

function readReferenceManifests(): ReferenceManifest[] {
  if (referenceDir === undefined) return [];
  return readdirSync(referenceDir)
    .filter((name) => /^(mms|ts)_/.test(name))
    .sort()
    .flatMap((name) => {
      const text = readReferenceManifest(join(referenceDir, name));
      return text === undefined ? [] : [{ name, text }];
    });
}

const references = readReferenceManifests();
const byName = (name: string): string => {
  const found = references.find((r) => r.name === name);
  if (found === undefined) throw new Error(`reference case ${name} not found in ${referenceDir}`);
  return found.text;
};

describe('reference manifests', () => {
  it('are available (fixtures/reference-fixture/cases or ../shared/reference)', () => {
    expect(referenceDir, `none of ${REFERENCE_DIRS.join(', ')} exists`).toBeDefined();
    expect(references.map((r) => r.name)).toEqual(
      expect.arrayContaining(['mms_default', 'mms_noarchive', 'mms_tgz', 'ts_default', 'ts_minimal', 'ts_noarchive', 'ts_tgz']),
    );
  });

  it.each(references.map((r) => [r.name, r.text] as const))('%s parses with the right flavour and re-serialises to the same bytes', (name, text) => {
    const { flavour, manifest } = parseManifest(text, { path: 'MAR-INF/MANIFEST.json' });
    expect(flavour).toBe(name.startsWith('mms_') ? 'mms' : 'torchserve');
    expect(serializeManifest(manifest)).toBe(text);
  });
});

describe('createManifest reproduces the reference bytes', () => {
  it('mms_default: exactly the 201 bytes of MMS model-archiver 1.0.4', () => {
    const text = serializeManifest(
      createManifest({ flavour: 'mms', modelName: 'mymodel', handler: 'handler:handle', createdOn: new Date(0) }),
    );
    expect(Buffer.byteLength(text)).toBe(201);
    expect(text).toBe(byName('mms_default'));
  });

  it('mms_runtime_py3 and mms_empty_dir', () => {
    const py3 = createManifest({ flavour: 'mms', modelName: 'my.model-v_1', handler: 'handler.py', runtime: 'python3', createdOn: new Date(0) });
    expect(serializeManifest(py3)).toBe(byName('mms_runtime_py3'));
    const empty = createManifest({ flavour: 'mms', modelName: 'empty', handler: 'h', createdOn: new Date(0) });
    expect(serializeManifest(empty)).toBe(byName('mms_empty_dir'));
  });

  const tsCase = (name: string, input: Omit<CreateManifestInput, 'flavour' | 'createdOn'>): void => {
    const reference = byName(name);
    const createdOn = parseTorchServeDate((JSON.parse(reference) as { createdOn: string }).createdOn);
    expect(createdOn).toBeDefined();
    const text = serializeManifest(createManifest({ ...input, flavour: 'torchserve', createdOn: createdOn as Date }));
    expect(text).toBe(reference);
  };

  it('ts_default: all TorchServe file fields in TorchServe order, given the reference createdOn', () => {
    tsCase('ts_default', {
      modelName: 'mymodel',
      version: '1.0',
      serializedFile: 'model.pt',
      modelFile: 'model.py',
      handler: 'handler.py',
      requirementsFile: 'requirements.txt',
      configFile: 'model-config.yaml',
    });
    expect(Buffer.byteLength(byName('ts_default'))).toBe(341);
  });

  it('ts_minimal, ts_handler_builtin and ts_handler_func', () => {
    tsCase('ts_minimal', { modelName: 'minimal', version: '1.0', handler: 'base_handler' });
    tsCase('ts_handler_builtin', { modelName: 'm-builtin', version: '2.0', serializedFile: 'model.pt', handler: 'image_classifier' });
    tsCase('ts_handler_func', { modelName: 'm-func', version: '1.0', serializedFile: 'model.pt', handler: 'handler:my_fn' });
  });
});
