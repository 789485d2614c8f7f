/**
 * What counts as a model in the model store (`--model-store`), one rule for `--models all`, `load_models=all` and the
 * Open Inference Protocol repository index: every entry that is not hidden and is either an archive (core's
 * ARCHIVE_SUFFIXES: `.mar`, `.tar.gz`, `.tgz`, `.zip`, `.model`) or a folder (an unpacked archive, which the server
 * serves as well; TorchServe's `load_models=all` takes folders too). Other files are not models. A shared leaf at the
 * package root, as the command line and the HTTP layer both read it.
 */
import { readdirSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';

import { stripArchiveSuffix } from '@model-archiver/core/read';

/** True for a file name with an archive suffix (`.mar`, `.tar.gz`, `.tgz`, `.zip`, `.model`). */
export const isArchiveName = (name: string): boolean => stripArchiveSuffix(name) !== name;

/** One model of the store: its name (the entry without its archive suffix) and the entry (file or folder name). */
export interface StoreModel {
  name: string;
  entry: string;
}

const storeModels = (entries: readonly Dirent[]): StoreModel[] =>
  entries
    .filter((entry) => !entry.name.startsWith('.') && (entry.isDirectory() || isArchiveName(entry.name)))
    .map((entry) => ({ name: entry.isDirectory() ? entry.name : stripArchiveSuffix(entry.name), entry: entry.name }))
    .sort((a, b) => (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0));

/** The models of a model store, sorted by entry name. */
export const listModelStore = async (modelStore: string): Promise<StoreModel[]> => storeModels(await readdir(modelStore, { withFileTypes: true }));

/** {@link listModelStore} for the command line, which reads its settings synchronously. */
export const listModelStoreSync = (modelStore: string): StoreModel[] => storeModels(readdirSync(modelStore, { withFileTypes: true }));
