import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildArchive } from '../src/builder/build-archive.js';
import type { BuildResult } from '../src/builder/build-options.js';
import { parseIntegrityRecord } from '../src/integrity/record.js';
import { parseZip } from './zip-test-reader.js';

const run = promisify(execFile);
const CHECK_ZIP = fileURLToPath(new URL('../../../fixtures/java/CheckZip.java', import.meta.url));
const has = (command: string, args: string[]): boolean => {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasJava = has('java', ['-version']);
const hasPython = has('python3', ['--version']);

let dir: string;
const builds: Record<string, BuildResult> = {};
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-compat-'));
  const input = join(dir, 'in');
  await mkdir(join(input, 'sub'), { recursive: true });
  await writeFile(join(input, 'handler.py'), 'def handle(data, context):\n    return data\n');
  await writeFile(join(input, 'model.onnx'), randomBytes(70_000));
  await writeFile(join(input, 'big.csv'), Array.from({ length: 150_000 }, (_, i) => `${i},${i % 7}\n`).join(''));
  await writeFile(join(input, 'sub', 'ünïcode.txt'), 'x\n');
  const base = { modelName: 'm', handler: 'handler:handle', modelPath: input, env: {} };
  builds.default = await buildArchive({ ...base, exportPath: join(dir, 'default') });
  builds.store = await buildArchive({ ...base, exportPath: join(dir, 'store'), archiveFormat: 'zip-store' });
  builds.zip64 = await buildArchive({ ...base, exportPath: join(dir, 'zip64') }, { zip64Limit: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Compares a Java listing with what the build reported; the integrity record (not in `entries`) comes last. */
const compare = (listing: string[], result: BuildResult): void => {
  expect(listing.slice(0, -1)).toEqual(result.entries.map((e) => `${e.path}\t${e.size}\t${e.sha256}`));
  const [name, size] = listing.at(-1)!.split('\t');
  expect(name).toBe('MAR-INF/integrity.json');
  expect(Number(size)).toBeGreaterThan(0);
};

describe('compatibility of built archives', () => {
  it.skipIf(!hasJava)('are read by java.util.zip.ZipInputStream (the MMS / TorchServe frontends) in every zip variant', async () => {
    const { stdout } = await run('java', [CHECK_ZIP, builds.default!.outputPath, builds.store!.outputPath, builds.zip64!.outputPath]);
    const listings = stdout.split(/^# .*\n/m).slice(1).map((block) => block.trimEnd().split('\n'));
    expect(listings).toHaveLength(3);
    compare(listings[0]!, builds.default!);
    compare(listings[1]!, builds.store!);
    compare(listings[2]!, builds.zip64!);
    const zip64 = parseZip(await readFile(builds.zip64!.outputPath));
    expect(zip64.zip64End).toBe(true);
    expect(zip64.entries.every((e) => e.versionNeeded === 45 && e.local.extra.length === 20)).toBe(true);
  });

  it.skipIf(!hasJava)('the Java check rejects a STORED entry with a data descriptor (so it can fail)', async () => {
    const zip = await readFile(builds.store!.outputPath);
    zip.writeUInt16LE(zip.readUInt16LE(6) | 0x0008, 6); // set bit 3 in the first local header
    const broken = join(dir, 'broken.mar');
    await writeFile(broken, zip);
    await expect(run('java', [CHECK_ZIP, broken])).rejects.toMatchObject({ code: 1 });
  });

  it.skipIf(!hasPython)('are read by Python zipfile with matching CRCs, digests and an integrity record that matches', async () => {
    const script =
      'import sys,zipfile,hashlib,json\nout=[]\nfor f in sys.argv[1:]:\n  z=zipfile.ZipFile(f)\n  assert z.testzip() is None\n' +
      '  out.append([[i.filename,i.file_size,hashlib.sha256(z.read(i)).hexdigest(),i.compress_type] for i in z.infolist()]+[z.read("MAR-INF/integrity.json").decode()])\n' +
      'print(json.dumps(out))';
    const { stdout } = await run('python3', ['-c', script, builds.default!.outputPath, builds.store!.outputPath, builds.zip64!.outputPath]);
    const results = JSON.parse(stdout) as unknown[][];
    for (const [i, build] of [builds.default!, builds.store!, builds.zip64!].entries()) {
      const listing = results[i]!;
      const record = parseIntegrityRecord(listing.at(-1) as string);
      const entries = listing.slice(0, -2) as [string, number, string, number][];
      expect(entries.map(([n, s, h]) => ({ path: n, size: s, sha256: h }))).toEqual(
        build.entries.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
      );
      expect([...record.files].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual(record.files);
      expect(record.files).toHaveLength(build.entries.length);
    }
    const storeMethods = (results[1]!.slice(0, -1) as [string, number, string, number][]).map((e) => e[3]);
    expect(new Set(storeMethods)).toEqual(new Set([0]));
  });
});
