/**
 * Fingerprints of archive files, remembered in the cache: `<cacheDir>/paths/<sha256 of mode and path>.json` maps an
 * archive file's path and `stat` identity (device, inode, size, modification and change times in nanoseconds) to
 * the cache key its content had. When the fingerprint is unchanged at the next load, the archive is not opened again:
 * its content cannot have changed without changing its change time (which no unprivileged process can set back), so
 * the key, the manifest and the config kept in the key's index still hold. The cached copy itself is still hashed
 * again in full before use. The technique is git's index (and "racy git" is handled the same way): a fingerprint is remembered only
 * when the file's times are at least {@link SETTLE_MS} old, so a file modified again within the same timestamp tick
 * (coarse file systems) cannot keep a stale fingerprint.
 *
 * Folders are never fingerprinted: a folder's `stat` does not change when a file inside it is edited.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Times younger than this (ms) are not trusted to change on the next modification. */
export const SETTLE_MS = 2_000;

/** The `stat` identity of an archive file. */
export interface ArchiveFingerprint {
  path: string;
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

interface FingerprintRecord {
  fingerprintVersion: 1;
  fingerprint: ArchiveFingerprint;
  /** Whether the key was computed with integrity verification on (the key differs with it off). */
  verified: boolean;
  key: string;
}

/** Fingerprint of a regular file at `archivePath` (absolute); `undefined` for folders and anything unreadable. */
export async function fingerprintArchive(archivePath: string): Promise<ArchiveFingerprint | undefined> {
  try {
    const info = await stat(archivePath, { bigint: true });
    if (!info.isFile()) return undefined;
    return {
      path: archivePath,
      dev: String(info.dev),
      ino: String(info.ino),
      size: String(info.size),
      mtimeNs: String(info.mtimeNs),
      ctimeNs: String(info.ctimeNs),
    };
  } catch {
    return undefined;
  }
}

const recordFile = (cacheDir: string, archivePath: string, verified: boolean): string =>
  path.join(cacheDir, 'paths', `${createHash('sha256').update(`${verified ? 'verified' : 'unverified'}\0${archivePath}`).digest('hex')}.json`);

const sameFingerprint = (a: ArchiveFingerprint, b: ArchiveFingerprint): boolean =>
  a.path === b.path && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

/** The key remembered for exactly this fingerprint (and verification mode), else `undefined`. */
export async function rememberedKey(cacheDir: string, fingerprint: ArchiveFingerprint, verified: boolean): Promise<string | undefined> {
  try {
    // A few hundred bytes of the private cache: one synchronous read beats the asynchronous round trips here.
    const record = JSON.parse(readFileSync(recordFile(cacheDir, fingerprint.path, verified), 'utf8')) as FingerprintRecord;
    const valid = record.fingerprintVersion === 1 && record.verified === verified && typeof record.key === 'string' && /^[0-9a-f]{64}$/.test(record.key);
    return valid && sameFingerprint(record.fingerprint, fingerprint) ? record.key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers `key` for `fingerprint` (taken BEFORE the archive was read, so a change during the load leaves a
 * fingerprint that never matches again). Skipped while the file's times are younger than {@link SETTLE_MS}; failures
 * are ignored (the fingerprint is an optimisation: without it the archive is opened as usual).
 */
export async function rememberKey(cacheDir: string, fingerprint: ArchiveFingerprint, verified: boolean, key: string, now = Date.now()): Promise<void> {
  const newest = Number((BigInt(fingerprint.mtimeNs) > BigInt(fingerprint.ctimeNs) ? BigInt(fingerprint.mtimeNs) : BigInt(fingerprint.ctimeNs)) / 1_000_000n);
  if (now - newest < SETTLE_MS) return;
  const file = recordFile(cacheDir, fingerprint.path, verified);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const record: FingerprintRecord = { fingerprintVersion: 1, fingerprint, verified, key };
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}
