/**
 * Helpers for end-to-end tests: run the BUILT binary (`packages/cli/dist/bin.js`, made by `npx tsc -b` / `npm test`),
 * make temp dirs, and read archives independently of the code under test (yauzl, tar, and the system's
 * unzip / tar / python3 where present).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tar from 'tar';
import yauzl from 'yauzl';

/** Repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/**
 * The CLI as installed: the package's bin shim, which runs the bundle (`npm run build` / `npm test` make it with
 * scripts/bundle-cli.mjs) and falls back to the unbundled dist/bin.js after a bare `tsc -b`.
 */
export const BIN = join(REPO_ROOT, 'packages/cli/bin/model-archiver.cjs');
/** The unbundled build (`tsc -b`), whose module graph the start-up tests trace. */
export const DIST_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** What a run of the binary produced. */
export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `node packages/cli/dist/bin.js ...args` in `cwd`; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  if (!existsSync(DIST_BIN)) throw new Error(`${DIST_BIN} is missing: run \`npm run build\` (npm test does) before the e2e tests`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, MODEL_ARCHIVER_DEBUG: '', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ exitCode: code, stdout, stderr });
      },
    );
  });
}

/** Starts the binary and returns the child (to signal it) and its eventual result. */
export function spawnCli(args: readonly string[], cwd: string): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal === null ? 1 : 128), stdout, stderr }));
  });
  return { child, done };
}

/** Parses the `--json` document a run printed on stdout. */
export function jsonOf(run: CliRun): Record<string, unknown> & { ok: boolean } {
  return JSON.parse(run.stdout) as Record<string, unknown> & { ok: boolean };
}

/** The error code of a failed `--json` run. */
export function errorCodeOf(run: CliRun): string | undefined {
  const doc = jsonOf(run) as { error?: { code?: string } };
  return doc.error?.code;
}

/** A fresh temp dir and a function that removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ma-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** One archive member: its bytes (regular files) or its link target (symlinks). */
export interface Member {
  type: 'file' | 'symlink' | 'other';
  data: Buffer;
  linkname?: string;
}

/** Every entry of a zip, in central-directory order (duplicates kept in `names`). */
export async function readZip(file: string): Promise<{ names: string[]; members: Map<string, Member> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const names: string[] = [];
  const members = new Map<string, Member>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            members.set(entry.fileName, { type: 'file', data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return { names, members };
}

/** Every entry of a .tar.gz, in order. */
export async function readTgz(file: string): Promise<{ names: string[]; members: Map<string, Member> }> {
  const names: string[] = [];
  const members = new Map<string, Member>();
  await tar.t({
    file,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      names.push(entry.path);
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => {
        const type = entry.type === 'File' ? 'file' : entry.type === 'SymbolicLink' ? 'symlink' : 'other';
        const member: Member = { type, data: Buffer.concat(chunks) };
        if (entry.linkpath) member.linkname = entry.linkpath;
        members.set(entry.path, member);
      });
    },
  });
  return { names, members };
}

/** Every regular file under `dir`, as archive-style relative paths with their bytes. */
export async function readFolder(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(dir, full).split(sep).join('/'), await readFile(full));
  }
  return files;
}

/** Whether an external program runs (`unzip -v`, `python3 --version`...). */
export function hasProgram(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const PY_NAMES = `import sys, zipfile, tarfile, json
p = sys.argv[1]
if zipfile.is_zipfile(p):
    names = zipfile.ZipFile(p).namelist()
else:
    names = tarfile.open(p, 'r:gz').getnames()
print(json.dumps(names))`;

/** Entry names as Python's zipfile (or tarfile for .tar.gz) reads them. */
export function namesByPython(file: string): string[] {
  return JSON.parse(execFileSync('python3', ['-c', PY_NAMES, file], { encoding: 'utf8' })) as string[];
}

/** Entry names as `unzip -Z1` lists them. */
export function namesByUnzip(file: string): string[] {
  return execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
}

/** Entry names as `tar tzf` lists them. */
export function namesByTar(file: string): string[] {
  return execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
}

/** Sorted copy, for set-like comparisons. */
export const sorted = (values: Iterable<string>): string[] => [...values].sort();
