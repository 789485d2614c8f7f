import { MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import type { ModelArchive } from './archive-types.js';

/**
 * Non-fatal facts about how an archive was read, in words: today only duplicate `MAR-INF/MANIFEST.json` entries
 * (see {@link ModelArchive.shadowedManifests}). inspect, verify and extract report these; lint reports MA026.
 */
export function archiveWarnings(archive: Pick<ModelArchive, 'shadowedManifests'>): string[] {
  const count = archive.shadowedManifests.length;
  if (count === 0) return [];
  return [
    `${MANIFEST_PATH} appears ${count + 1} times (torch-model-archiver writes a second one when an --extra-files ` +
      'folder holds MAR-INF/); using the last one, as TorchServe and Python zipfile do',
  ];
}
