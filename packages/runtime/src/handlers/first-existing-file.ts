/** File lookups in a model folder shared by the handler resolver and the Python target (no handler imports here). */
import { stat } from 'node:fs/promises';
import path from 'node:path';

const isFile = (file: string): Promise<boolean> => stat(file).then((s) => s.isFile(), () => false);

/** The first of `candidates` (model-relative paths, `/` separators) that is a file in `modelDir`; all are looked up at once. */
export const firstExistingFile = async (modelDir: string, candidates: readonly string[]): Promise<string | undefined> => {
  const present = await Promise.all(candidates.map((candidate) => isFile(path.join(modelDir, ...candidate.split('/')))));
  const found = present.indexOf(true);
  return found < 0 ? undefined : candidates[found];
};
