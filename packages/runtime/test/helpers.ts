import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ZipWriter, createIntegrityRecord, serializeIntegrityRecord } from '@model-archiver/core';

/** What goes into a test model folder. */
export interface ModelFolderSpec {
  handler: string;
  files?: Record<string, string | Uint8Array>;
  serializedFile?: string;
  configFile?: string;
  modelName?: string;
  /** Write MAR-INF/integrity.json over every file. */
  integrity?: boolean;
  /** A whole manifest to write instead of the node flavour one (e.g. a TorchServe manifest). */
  manifest?: Record<string, unknown>;
  /** Files whose content is replaced after the integrity record was computed (a tampered archive). */
  tamper?: Record<string, string>;
}

/** A temp area with a cache folder, cleaned by {@link TempArea.cleanup}. */
export interface TempArea {
  root: string;
  cacheDir: string;
  cleanup(): Promise<void>;
}

export async function tempArea(): Promise<TempArea> {
  const root = await mkdtemp(path.join(tmpdir(), 'runtime-test-'));
  return { root, cacheDir: path.join(root, 'cache'), cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The entries of a test archive: the files, a node flavour manifest and, on request, an integrity record. */
function archiveEntries(spec: ModelFolderSpec): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = { ...(spec.files ?? {}) };
  const model: Record<string, unknown> = { modelName: spec.modelName ?? 'test-model', handler: spec.handler, modelVersion: '1.0' };
  if (spec.serializedFile !== undefined) model['serializedFile'] = spec.serializedFile;
  if (spec.configFile !== undefined) model['configFile'] = spec.configFile;
  const manifest = {
    manifestVersion: 1,
    createdOn: '2026-01-01T00:00:00Z',
    runtime: 'node',
    model,
    archiverVersion: '0.1.0',
  };
  files['MAR-INF/MANIFEST.json'] = `${JSON.stringify(spec.manifest ?? manifest, null, 2)}\n`;
  if (spec.integrity === true) {
    const record = createIntegrityRecord(
      Object.entries(files).map(([p, content]) => {
        const bytes = typeof content === 'string' ? Buffer.from(content) : content;
        return { path: p, size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
      }),
    );
    files['MAR-INF/integrity.json'] = serializeIntegrityRecord(record);
  }
  return { ...files, ...(spec.tamper ?? {}) };
}

/** Writes a `.mar` zip (node flavour manifest, any handler string) at `file` and returns its path. */
export async function writeModelArchive(file: string, spec: ModelFolderSpec): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'wx');
  try {
    const zip = new ZipWriter(handle, file, { date: new Date('2026-01-01T00:00:00Z') });
    for (const [name, content] of Object.entries(archiveEntries(spec))) {
      await zip.addBuffer(name, typeof content === 'string' ? Buffer.from(content) : content);
    }
    await zip.finish();
  } finally {
    await handle.close();
  }
  return file;
}

/** Writes a folder archive (node flavour manifest) and returns its path. */
export async function writeModelFolder(dir: string, spec: ModelFolderSpec): Promise<string> {
  const files = archiveEntries(spec);
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(dir, ...relative.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return dir;
}

/** A v2 JSON request body. */
export const v2Body = (inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[], extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(JSON.stringify({ inputs, ...extra }));
