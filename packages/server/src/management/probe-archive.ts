import path from 'node:path';

import { manifestModel, openArchive, stripArchiveSuffix } from '@model-archiver/core/read';

/** What registration reads from an archive before any worker loads it. */
export interface ArchiveFacts {
  /** The manifest's model name, else the archive's file name without its suffix. */
  name: string;
  /** The manifest's model version, else `1.0` (as the runtime reports it). */
  version: string;
  /** The manifest's runtime, else `node`. */
  runtime: string;
}

/**
 * Reads the manifest of an archive (checked by the reader: a corrupt or unsafe archive, or an invalid manifest, is
 * refused with its code) without loading the model, as TorchServe does when it registers a model.
 */
export const probeArchive = async (archivePath: string): Promise<ArchiveFacts> => {
  const archive = await openArchive(archivePath);
  try {
    const parsed = await archive.readManifest();
    const { modelName, modelVersion } = manifestModel(parsed);
    const runtime = (parsed.manifest as { runtime?: unknown }).runtime;
    return {
      name: modelName || stripArchiveSuffix(path.basename(archivePath)),
      version: modelVersion ?? '1.0',
      runtime: typeof runtime === 'string' && runtime !== '' ? runtime : 'node',
    };
  } finally {
    await archive.close();
  }
};
