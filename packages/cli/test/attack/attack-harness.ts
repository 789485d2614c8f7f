/**
 * The attack suite's helpers (`npm run attack`): each hostile input is built in code here (nothing binary is
 * committed), the built binary runs against it in a fresh folder, and {@link runIn} reports what appeared in that
 * folder besides the one target the command may write.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import * as core from '@model-archiver/core';

import { buildTar } from '../../../../fixtures/hostile/tar-builder.mjs';
import { buildZip } from '../../../../fixtures/hostile/zip-builder.mjs';
import { BIN } from '../e2e/cli-harness.js';

const MiB = 1024 * 1024;

/** What one run did: exit code, the error code of its `--json` output, and names that appeared besides `allowed`. */
export interface AttackRun {
  exitCode: number | null;
  code: string | undefined;
  stdout: string;
  outside: string[];
}

/**
 * Runs the built CLI in `cwd` (killed after `timeoutMs`: a hang fails the test, exit code `null`) and lists what
 * appeared in `cwd` besides `allowed` (the command's target, when it may write one).
 */
export async function runIn(cwd: string, args: readonly string[], allowed: readonly string[] = [], timeoutMs = 20_000): Promise<AttackRun> {
  const before = new Set(await readdir(cwd));
  const run = await new Promise<{ exitCode: number | null; stdout: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * MiB }, (error, stdout) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ exitCode, stdout });
    });
  });
  let code: string | undefined;
  try {
    code = (JSON.parse(run.stdout) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  const outside = (await readdir(cwd)).filter((name) => !before.has(name) && !allowed.includes(name));
  return { ...run, code, outside };
}

/** A fresh folder and its removal. */
export async function workDir(tag: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ma-attack-${tag}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** `mib` MiB of zeros as gzip members of 64 MiB each, concatenated (gunzip reads them as one stream). */
function zeroMembers(mib: number): Buffer[] {
  const member = gzipSync(Buffer.alloc(Math.min(mib, 64) * MiB), { level: 9 });
  return Array.from({ length: Math.max(1, Math.round(mib / 64)) }, () => member);
}

/** The bomb of issue 11: a `.tar.gz` that is nothing but `mib` MiB of zeros (about 1 KiB gzipped per MiB). */
export const zeroTgz = (mib: number): Buffer => Buffer.concat(zeroMembers(mib));

/** A `.tar.gz` with one tar entry of `mib` MiB of zeros (a header declaring it, then the zeros). */
export const zeroEntryTgz = (mib: number): Buffer =>
  Buffer.concat([gzipSync(buildTar([{ name: 'm/zeros.bin', size: mib * MiB }], { end: false })), ...zeroMembers(mib)]);

/** A zip whose one entry inflates to `mib` MiB of zeros, with a manifest: sizes and CRC are the true ones. */
export function zeroZip(mib: number, manifest: string): Buffer {
  const data = Buffer.alloc(mib * MiB);
  return buildZip([{ name: 'MAR-INF/MANIFEST.json', data: manifest }, { name: 'zeros.bin', data }]);
}

/** Builds a small valid node-flavour archive with our own builder (so it has an integrity record). */
export async function ourArchive(dir: string, name = 'victim'): Promise<string> {
  const { writeFile, mkdir } = await import('node:fs/promises');
  const source = join(dir, `${name}-src`);
  await mkdir(source);
  await writeFile(join(source, 'handler.mjs'), 'export const handle = (batch) => batch.map(() => "ok");\n');
  const built = await core.buildArchive({ modelName: name, handler: 'handler.mjs', version: '1.0', flavour: 'node', cwd: source, exportPath: dir });
  await rm(source, { recursive: true, force: true });
  return built.outputPath;
}

/** Rewrites a zip archive without the entries named in `drop` (an attacker stripping the record or signature). */
export async function stripEntries(archivePath: string, drop: readonly string[]): Promise<Buffer> {
  const archive = await core.openArchive(archivePath);
  try {
    const kept = [];
    for (const entry of archive.entries) {
      if (entry.type !== 'file' || drop.includes(entry.path)) continue;
      kept.push({ name: entry.path, data: await archive.readEntry(entry.path) });
    }
    return buildZip(kept);
  } finally {
    await archive.close();
  }
}
