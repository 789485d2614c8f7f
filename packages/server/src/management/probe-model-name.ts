import path from 'node:path';

import { manifestModel, openArchive, stripArchiveSuffix } from '@model-archiver/core/read';

/**
 * The name a model registered without `model_name` gets: its manifest's model name, read without loading the model;
 * else the archive's file name without its suffix.
 */
export const probeModelName = async (archivePath: string): Promise<string> => {
  const archive = await openArchive(archivePath);
  try {
    const { modelName } = manifestModel(await archive.readManifest());
    return modelName || stripArchiveSuffix(path.basename(archivePath));
  } finally {
    await archive.close();
  }
};
