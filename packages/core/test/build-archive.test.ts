import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildArchive } from '../src/builder/build-archive.js';
import type { BuildOptions } from '../src/builder/build-options.js';
import { parseIntegrityRecord } from '../src/integrity/record.js';
import { parseZip } from './zip-test-reader.js';

const run = promisify(execFile);
const SOURCE_INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

let dir: string;
let input: string;
let out: string;

const text = (lines: number): string => Array.from({ length: lines }, (_, i) => `${i},label ${i % 31}\n`).join('');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'build-archive-'));
  input = join(dir, 'in');
  out = join(dir, 'out');
  await mkdir(join(input, 'sub'), { recursive: true });
  await writeFile(join(input, 'handler.py'), 'def handle(data, context):\n    return data\n');
  await writeFile(join(input, 'model.onnx'), randomBytes(40_000));
  await writeFile(join(input, 'labels.csv'), text(20_000));
  await writeFile(join(input, 'sub', 'vocab.txt'), text(300));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = (extra: Partial<BuildOptions> = {}): BuildOptions => ({
  modelName: 'm',
  handler: 'handler:handle',
  modelPath: input,
  exportPath: out,
  ...extra,
});

/** Every path below `root` with its size, to compare a folder before and after. */
async function snapshot(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else found.push(`${prefix}${entry.name}:${(await stat(path)).size}:${sha(await readFile(path))}`);
    }
  };
  await walk(root, '');
  return found.sort();
}

describe('buildArchive', () => {
  it('writes sorted files, then the manifest, then the integrity record that lists them all', async () => {
    const result = await buildArchive(options());
    expect(result.outputPath).toBe(join(out, 'm.mar'));
    const zip = parseZip(await readFile(result.outputPath));
    const names = zip.entries.map((e) => e.name);
    expect(names).toEqual(['handler.py', 'labels.csv', 'model.onnx', 'sub/vocab.txt', 'MAR-INF/MANIFEST.json', 'MAR-INF/integrity.json']);
    expect(result.entries.map((e) => e.path)).toEqual(names.slice(0, -1));
    const record = parseIntegrityRecord(zip.entries.at(-1)!.data.toString('utf8'));
    for (const entry of zip.entries.slice(0, -1)) {
      expect(record.files).toContainEqual({ path: entry.name, size: entry.data.length, sha256: sha(entry.data) });
    }
    expect(record.files).toHaveLength(5);
    expect(JSON.parse(zip.entries[4]!.data.toString('utf8'))).toEqual(result.manifest);
    const methods = Object.fromEntries(zip.entries.map((e) => [e.name, e.method]));
    expect(methods['model.onnx']).toBe(0);
    expect(methods['labels.csv']).toBe(8);
    expect(result).toMatchObject({ format: 'default', replaced: false, bytesOut: (await stat(result.outputPath)).size });
    expect(result.bytesIn).toBe(result.entries.reduce((sum, e) => sum + e.size, 0));
  });

  it('stores every entry in zip-store format', async () => {
    const result = await buildArchive(options({ archiveFormat: 'zip-store' }));
    expect(parseZip(await readFile(result.outputPath)).entries.every((e) => e.method === 0)).toBe(true);
  });

  it('gives byte-identical archives under different time zones', async () => {
    const script = join(dir, 'build.mts');
    await writeFile(
      script,
      `import { buildArchive } from ${JSON.stringify(SOURCE_INDEX)};\n` +
        `const [input, out] = process.argv.slice(2);\n` +
        `await buildArchive({ modelName: 'm', handler: 'handler:handle', modelPath: input, exportPath: out, env: {} });\n`,
    );
    const hashes: string[] = [];
    for (const tz of ['UTC', 'Asia/Tokyo']) {
      const target = join(dir, `out-${tz.replace('/', '-')}`);
      await run(process.execPath, ['--import', 'tsx', script, input, target], { env: { ...process.env, TZ: tz } });
      hashes.push(sha(await readFile(join(target, 'm.mar'))));
    }
    expect(hashes[0]).toBe(hashes[1]);
    const again = await buildArchive(options({ env: {} }));
    expect(sha(await readFile(again.outputPath))).toBe(hashes[0]);
  });

  it('refuses to overwrite without force and replaces with force', async () => {
    await mkdir(out);
    await writeFile(join(out, 'm.mar'), 'precious');
    await expect(buildArchive(options())).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(join(out, 'm.mar'), 'utf8')).toBe('precious');
    const result = await buildArchive(options({ force: true }));
    expect(result.replaced).toBe(true);
    expect(parseZip(await readFile(join(out, 'm.mar'))).entries).toHaveLength(6);
    expect(await readdir(out)).toEqual(['m.mar']);
  });

  it('leaves the export folder exactly as it was when a source file disappears during the build', async () => {
    await mkdir(out);
    await writeFile(join(out, 'other.txt'), 'keep');
    const before = await snapshot(out);
    const failing = buildArchive(
      options({
        onProgress: (p) => {
          if (p.currentEntry === 'labels.csv' && p.entriesDone === 1) unlinkSync(join(input, 'sub', 'vocab.txt'));
        },
      }),
    );
    await expect(failing).rejects.toMatchObject({ code: 'INPUT_READ_FAILED' });
    expect(await snapshot(out)).toEqual(before);
  });

  it('leaves nothing behind when aborted, in every format', async () => {
    await mkdir(out);
    for (const archiveFormat of ['default', 'tgz', 'no-archive'] as const) {
      const controller = new AbortController();
      const build = buildArchive(
        options({ archiveFormat, signal: controller.signal, onProgress: (p) => p.entriesDone === 2 && controller.abort() }),
      );
      await expect(build).rejects.toMatchObject({ code: 'ABORTED' });
      expect(await readdir(out)).toEqual([]);
    }
  });

  it('writes a .tar.gz with every entry under <model>/ and reproducible headers', async () => {
    const result = await buildArchive(options({ archiveFormat: 'tgz' }));
    expect(result.outputPath).toBe(join(out, 'm.tar.gz'));
    const { stdout } = await run('python3', [
      '-c',
      'import sys,tarfile,json\nt=tarfile.open(sys.argv[1])\n' +
        'print(json.dumps([[m.name,m.size,m.uid,m.gid,m.uname,m.gname,m.mtime,oct(m.mode),m.isfile()] for m in t.getmembers()]))',
      result.outputPath,
    ]);
    const members = JSON.parse(stdout) as unknown[][];
    expect(members.map((m) => m[0])).toEqual([
      'm/handler.py', 'm/labels.csv', 'm/model.onnx', 'm/sub/vocab.txt', 'm/MAR-INF/MANIFEST.json', 'm/MAR-INF/integrity.json',
    ]);
    for (const member of members) expect(member.slice(2, 9)).toEqual([0, 0, '', '', 315532800, '0o644', true]);
    const gzip = await readFile(result.outputPath);
    expect(gzip.readUInt32LE(4)).toBe(0); // gzip header mtime
  });

  it('writes a folder for no-archive and, with force, replaces it without stale files', async () => {
    await mkdir(join(out, 'm'), { recursive: true });
    await writeFile(join(out, 'm', 'stale.txt'), 'old');
    await expect(buildArchive(options({ archiveFormat: 'no-archive' }))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    const result = await buildArchive(options({ archiveFormat: 'no-archive', force: true }));
    expect(result.replaced).toBe(true);
    const files = (await snapshot(join(out, 'm'))).map((line) => line.split(':')[0]);
    expect(files).toEqual(['MAR-INF/MANIFEST.json', 'MAR-INF/integrity.json', 'handler.py', 'labels.csv', 'model.onnx', 'sub/vocab.txt']);
    expect(await readdir(out)).toEqual(['m']);
    const record = parseIntegrityRecord(await readFile(join(out, 'm', 'MAR-INF', 'integrity.json'), 'utf8'));
    expect(record.files.find((f) => f.path === 'labels.csv')?.sha256).toBe(sha(await readFile(join(input, 'labels.csv'))));
    expect((await stat(join(out, 'm', 'handler.py'))).mtime.toISOString()).toBe('1980-01-01T00:00:00.000Z');
  });

  it('creates a missing export folder and reports progress per entry', async () => {
    const seen: string[] = [];
    const result = await buildArchive(options({ exportPath: join(out, 'a', 'b'), onProgress: (p) => seen.push(p.currentEntry) }));
    expect(result.outputPath).toBe(join(out, 'a', 'b', 'm.mar'));
    expect(new Set(seen)).toEqual(new Set(['handler.py', 'labels.csv', 'model.onnx', 'sub/vocab.txt', 'MAR-INF/MANIFEST.json', 'MAR-INF/integrity.json']));
  });
});
