import { ModelArchiveError } from '../errors.js';
import type { ArchiveEntryInfo } from '../read/archive-types.js';
import type { BaseArchive } from '../read/base-archive.js';
import { checkNameCollisions, resolveLinkTarget } from '../read/safe-path.js';

/** What extraction will create, decided before anything is written. */
export interface ExtractionPlan {
  /** Folder entries (created even when empty). */
  directories: string[];
  /** Link entries, materialised as copies of the file they point to inside the archive. */
  links: ArchiveEntryInfo[];
}

/**
 * Extraction-time checks, all run before the first byte is written: `ENTRY_SPECIAL_FILE` (devices, FIFOs, sockets),
 * `ENTRY_SYMLINK_ESCAPES` / `ENTRY_HARDLINK_ESCAPES` (a link whose target is absolute or climbs out of the tree; a hard
 * link to no entry), and the collision checks of {@link checkNameCollisions} (exact, Unicode-normalised, case-folded
 * names; files used as folders; paths through links).
 */
export async function planExtraction(archive: BaseArchive): Promise<ExtractionPlan> {
  const directories: string[] = [];
  const links: ArchiveEntryInfo[] = [];
  for (const info of archive.entries) {
    const details = { archive: archive.path, entry: info.path };
    if (info.type === 'special') {
      throw new ModelArchiveError('ENTRY_SPECIAL_FILE', `Entry ${info.path} is a device, FIFO or other special file`, { details });
    }
    if (info.type === 'directory') directories.push(info.path);
    if (info.type === 'symlink' || info.type === 'hardlink') {
      const raw = await archive.readLinkTarget(info);
      const target = resolveLinkTarget(info.path, raw, info.type);
      if (info.type === 'symlink' && target === undefined) {
        throw new ModelArchiveError('ENTRY_SYMLINK_ESCAPES', `Symbolic link ${info.path} -> ${raw} points outside the target folder`, {
          details: { ...details, target: raw },
        });
      }
      if (info.type === 'hardlink' && (target === undefined || archive.entry(target) === undefined)) {
        throw new ModelArchiveError('ENTRY_HARDLINK_ESCAPES', `Hard link ${info.path} -> ${raw} points outside the archive or to nothing`, {
          details: { ...details, target: raw },
        });
      }
      links.push(info);
    }
  }
  checkNameCollisions(archive.entries);
  return { directories, links };
}
