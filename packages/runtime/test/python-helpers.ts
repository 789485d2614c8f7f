import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildArchive } from '@model-archiver/core';

/** Writes `files` into a fresh folder and archives it MMS-style (`--model-path`, `--runtime python`); returns the .mar. */
export const buildPythonArchive = async (
  outDir: string,
  name: string,
  handler: string,
  files: Record<string, string | Uint8Array>,
  flavour: 'mms' | 'torchserve' = 'mms',
): Promise<string> => {
  const source = await mkdtemp(path.join(tmpdir(), 'python-model-'));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(source, file)), { recursive: true });
      await writeFile(path.join(source, file), content);
    }
    const result =
      flavour === 'mms'
        ? await buildArchive({ modelName: name, handler, modelPath: source, runtime: 'python', exportPath: outDir })
        : await buildArchive({
            modelName: name,
            handler: path.join(source, handler),
            version: '2.0',
            flavour: 'torchserve',
            runtime: 'python',
            extraFiles: Object.keys(files).filter((file) => file !== handler).map((file) => path.join(source, file)),
            exportPath: outDir,
          });
    return result.outputPath;
  } finally {
    await rm(source, { recursive: true, force: true });
  }
};
