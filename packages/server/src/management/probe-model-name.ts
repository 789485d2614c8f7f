import path from 'node:path';

import { openArchive } from '@model-archiver/core/read';

/**
 * The name a model registered without `model_name` gets: its manifest's model name, read without loading the model;
 * else the archive's file name without its suffix.
 */
export const probeModelName = async (archivePath: string): Promise<string> => {
  const archive = await openArchive(archivePath);
  try {
    const { manifest } = await archive.readManifest();
    const model = manifest.model as { modelName?: unknown } | undefined;
    if (typeof model?.modelName === 'string' && model.modelName !== '') return model.modelName;
    return path.basename(archivePath).replace(/\.(mar|tar\.gz|tgz|zip)$/, '');
  } finally {
    await archive.close();
  }
};
