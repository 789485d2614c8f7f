import { ModelArchiveError } from '../errors.js';
import { LEGACY_MANIFEST_PATH, MANIFEST_PATH } from '../vocabulary/manifest-flavours.js';
import type { ArchiveManifest, ModelArchive } from './archive-types.js';

/** Largest manifest read into memory; a manifest is a few hundred bytes. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * Reads and validates an archive's manifest: `MAR-INF/MANIFEST.json`, else the legacy MMS 0.x top-level
 * `MANIFEST.json`. Throws `MANIFEST_MISSING` when neither is a file entry, `MANIFEST_INVALID` when it fails its schema.
 */
export async function readArchiveManifest(archive: ModelArchive): Promise<ArchiveManifest> {
  const candidates = [MANIFEST_PATH, LEGACY_MANIFEST_PATH];
  const readable = (p: string): boolean => ['file', 'symlink', 'hardlink'].includes(archive.entry(p)?.type ?? '');
  const path = candidates.find(readable);
  if (path === undefined) {
    throw new ModelArchiveError('MANIFEST_MISSING', `${archive.path} has no ${MANIFEST_PATH} (nor a legacy ${LEGACY_MANIFEST_PATH})`, {
      details: { archive: archive.path },
    });
  }
  const info = archive.entry(path);
  if (info !== undefined && info.size > MAX_MANIFEST_BYTES) {
    throw new ModelArchiveError('MANIFEST_INVALID', `${path} is ${info.size} bytes; a manifest is at most ${MAX_MANIFEST_BYTES}`, {
      details: { archive: archive.path, path, issues: [{ path: '', code: 'too_big', message: 'manifest too large' }] },
    });
  }
  const bytes = await archive.readEntry(path);
  const raw = bytes.toString('utf8');
  // Imported on first use (a reader that never validates a manifest, the runtime on a cache hit, never loads it); it
  // imports zod, tens of milliseconds in a fresh process, only to explain a manifest that is not valid.
  const { validateManifest } = await import('../manifest/validate-manifest.js');
  const parsed = await validateManifest(bytes, { path });
  return { ...parsed, path, raw };
}
