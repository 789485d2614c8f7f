/**
 * Conformance with the reference archivers: every case of fixtures/reference-fixture/cases is re-run with our binary
 * on a recreated copy of the same input tree (same flags; `<scratch>` replaced), and the result is compared with what
 * MMS model-archiver 1.0.4 / torch-model-archiver 0.12.0 produced. Differences we make on purpose:
 * - we add `MAR-INF/integrity.json`;
 * - none in the names: `--extra-files` items land where torch-model-archiver puts them (files under their base name,
 *   folders' children at the root), for every form of the flag; `--keep-extra-paths` keeps the layout instead;
 * - errors exit with a code per error kind (docs/cli.md) instead of 1, and never leave files behind;
 * - `createdOn` is the build time (or --timestamp) and is not compared.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeReferenceFixture } from '../../../../fixtures/make-reference-fixture.mjs';
import {
  errorCodeOf,
  hasProgram,
  jsonOf,
  namesByPython,
  namesByTar,
  namesByUnzip,
  readFolder,
  readTgz,
  readZip,
  runCli,
  sorted,
  tempDir,
} from './cli-harness.js';
import type { Member } from './cli-harness.js';
import {
  argsFor,
  filesOfListing,
  flagValue,
  loadReferenceCases,
  manifestOfListing,
  outputPathOf,
} from './reference-cases.js';
import type { ReferenceCase } from './reference-cases.js';

const INTEGRITY = 'MAR-INF/integrity.json';
const MANIFEST = 'MAR-INF/MANIFEST.json';
const CREATED_ON = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/;

/** What each failing reference case must give with our tool: the error code(s) and exit code (reference: 1). */
const EXPECTED_ERRORS: Record<string, { codes: string[]; exitCode: number }> = {
  mms_bad_name: { codes: ['MODEL_NAME_INVALID'], exitCode: 3 },
  ts_bad_name: { codes: ['MODEL_NAME_INVALID'], exitCode: 3 },
  mms_missing_model_path: { codes: ['INPUT_NOT_FOUND', 'INPUT_NOT_DIRECTORY'], exitCode: 4 },
  ts_missing_extra: { codes: ['INPUT_NOT_FOUND'], exitCode: 4 },
  mms_exists_no_force: { codes: ['OUTPUT_EXISTS'], exitCode: 5 },
  ts_exists_no_force: { codes: ['OUTPUT_EXISTS'], exitCode: 5 },
};

const cases = loadReferenceCases();
const hasPython = hasProgram('python3', ['--version']);
const hasUnzip = hasProgram('unzip', ['-v']);
const hasTar = hasProgram('tar', ['--version']);

let scratch = '';
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ dir: scratch, cleanup } = await tempDir('reference'));
  await makeReferenceFixture(join(scratch, 'fixture'));
});
afterAll(async () => cleanup());

/** The flags we add to a case: JSON output only (TorchServe's layout of extra files is our default). */
function ourFlags(): string[] {
  return ['--json'];
}

/** Reads an archive (zip or tgz) with the reader that fits its format. */
function readArchive(file: string, format: ReferenceCase['format']): ReturnType<typeof readZip> {
  return format === 'tgz' ? readTgz(file) : readZip(file);
}

/** Deep key order of a JSON value, to compare manifests' key order as well as their values. */
function keyOrder(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => [`${prefix}${key}`, ...keyOrder(child, `${prefix}${key}.`)]);
}

/** Checks our manifest against the reference one: same keys in the same order, same values but `createdOn`. */
function expectSameManifest(ours: Record<string, unknown>, reference: Record<string, unknown>): void {
  const { createdOn: ourCreatedOn, ...ourRest } = ours;
  const { createdOn: referenceCreatedOn, ...referenceRest } = reference;
  expect(ourRest).toEqual(referenceRest);
  expect(keyOrder(ours)).toEqual(keyOrder(reference));
  if (referenceCreatedOn !== undefined) expect(ourCreatedOn).toMatch(CREATED_ON);
}

/** Every reference member (but the manifest) has the same bytes in ours; a reference symlink may be a file in ours. */
function expectSameContents(ours: Map<string, Member>, reference: Map<string, Member>): void {
  for (const [name, member] of reference) {
    if (name.endsWith(MANIFEST)) continue;
    const our = ours.get(name);
    expect(our, name).toBeDefined();
    if (member.type === 'symlink') {
      const target = reference.get(join(dirname(name), member.linkname ?? ''));
      if (our?.type === 'symlink') expect(our.linkname, name).toBe(member.linkname);
      else expect(our?.data.equals(target?.data ?? Buffer.alloc(0)), name).toBe(true);
    } else {
      expect(our?.data.equals(member.data), name).toBe(true);
    }
  }
}

/** Entry names that other readers see must be the ones our reader sees. */
function expectReadersAgree(file: string, format: ReferenceCase['format'], names: readonly string[]): void {
  if (hasPython) expect(namesByPython(file)).toEqual(names);
  if (format === 'tgz' && hasTar) expect(namesByTar(file)).toEqual(names);
  if (format !== 'tgz' && hasUnzip) expect(namesByUnzip(file)).toEqual(names);
}

describe('successful reference cases, rebuilt by model-archiver', () => {
  for (const reference of cases.filter((c) => c.exitCode === 0 && c.format !== 'no-archive')) {
    it(`${reference.name}: same entry names (plus ${INTEGRITY}), manifest and file contents`, async () => {
      const run = await runCli(argsFor(reference, scratch, ourFlags()), scratch);
      expect(run.exitCode, run.stderr).toBe(0);
      const output = outputPathOf(reference, scratch);
      expect(jsonOf(run)).toMatchObject({ ok: true, outputPath: output, format: reference.format });

      const theirs = await readArchive(reference.archive ?? '', reference.format);
      const ours = await readArchive(output, reference.format);
      const root = reference.format === 'tgz' ? `${reference.modelName}/` : '';
      expect(sorted(ours.names)).toEqual(sorted([...theirs.names, `${root}${INTEGRITY}`]));
      if (root !== '') expect(ours.names.every((name) => name.startsWith(root))).toBe(true);

      const manifest = (archive: typeof ours): Record<string, unknown> =>
        JSON.parse(archive.members.get(`${root}${MANIFEST}`)?.data.toString('utf8') ?? 'null') as Record<string, unknown>;
      expectSameManifest(manifest(ours), manifest(theirs));
      expectSameContents(ours.members, theirs.members);
      expectReadersAgree(reference.archive ?? '', reference.format, theirs.names);
      expectReadersAgree(output, reference.format, ours.names);
    });
  }

  for (const reference of cases.filter((c) => c.exitCode === 0 && c.format === 'no-archive')) {
    it(`${reference.name}: same files (plus ${INTEGRITY}), manifest and contents in the output folder`, async () => {
      const run = await runCli(argsFor(reference, scratch, ourFlags()), scratch);
      expect(run.exitCode, run.stderr).toBe(0);
      const folder = await readFolder(outputPathOf(reference, scratch));
      const listing = reference.listing ?? '';
      expect(sorted(folder.keys())).toEqual(sorted([...filesOfListing(listing), INTEGRITY]));
      const ourManifest = JSON.parse(folder.get(MANIFEST)?.toString('utf8') ?? 'null') as Record<string, unknown>;
      expectSameManifest(ourManifest, manifestOfListing(listing));
      // Same inputs as the tool's default-format case, whose archive holds the contents.
      const zipped = cases.find((c) => c.tool === reference.tool && c.name.endsWith('_default'));
      const theirs = await readZip(zipped?.archive ?? '');
      const members = new Map([...folder].map(([name, data]) => [name, { type: 'file', data } as Member]));
      expectSameContents(members, theirs.members);
    });
  }

  it('ts_default with --keep-extra-paths, run from the inputs folder, keeps extra_dir/ (opt-in layout)', async () => {
    const reference = tsDefault();
    const exportPath = join(scratch, 'work/out/ts_default_kept');
    const args = argsFor(reference, scratch, ['--json', '--keep-extra-paths', '--export-path', exportPath]);
    const run = await runCli(args, join(scratch, 'fixture/ts_in'));
    expect(run.exitCode, run.stderr).toBe(0);
    const ours = await readZip(join(exportPath, 'mymodel.mar'));
    const theirs = await readZip(reference.archive ?? '');
    const fromFolder = new Set(folderChildren(reference, theirs.names));
    const expected = theirs.names.map((name) => (fromFolder.has(name) ? `extra_dir/${name}` : name));
    expect(sorted(ours.names)).toEqual(sorted([...expected, INTEGRITY]));
  });
});

/** The ts_default reference case (all TorchServe inputs; `--extra-files <file>,<folder>`). */
function tsDefault(): ReferenceCase {
  const reference = cases.find((c) => c.name === 'ts_default');
  if (reference === undefined) throw new Error('reference case ts_default is missing');
  return reference;
}

/** The `--extra-files` items of a case, `<scratch>` still in place. */
const extraItemsOf = (reference: ReferenceCase): string[] => (flagValue(reference.args, '--extra-files') ?? '').split(',');

/**
 * Names of a reference archive that came from `--extra-files` folders: all but the manifest, the single-file flags'
 * base names and the extra items that are files (derived from the command, not listed by hand).
 */
function folderChildren(reference: ReferenceCase, names: readonly string[]): string[] {
  const singleFlags = ['--serialized-file', '--model-file', '--handler', '--requirements-file', '--config-file'];
  const single = singleFlags.map((flag) => flagValue(reference.args, flag)).filter((v): v is string => v !== undefined);
  const files = extraItemsOf(reference).filter((item) => statSync(item.replaceAll('<scratch>', scratch)).isFile());
  const flat = new Set([...single, ...files].map((file) => basename(file)));
  return names.filter((name) => name !== MANIFEST && !flat.has(name));
}

describe('--extra-files forms give the names torch-model-archiver gives (reference case ts_default)', () => {
  /** Runs ts_default from `<scratch>` with relative (nested) paths and the given `--extra-files` values. */
  async function namesWith(label: string, values: readonly string[], extra: readonly string[] = []): Promise<string[]> {
    const reference = tsDefault();
    const args: string[] = [];
    for (let i = 0; i < reference.args.length; i += 1) {
      const arg = reference.args[i] ?? '';
      if (arg === '--extra-files' || arg === '--export-path') i += 1;
      else args.push(arg.replaceAll('<scratch>/', ''));
    }
    for (const value of values) args.push('--extra-files', value.replaceAll('<scratch>/', ''));
    const exportPath = join(scratch, 'work/out/forms', label);
    const run = await runCli([...args, ...extra, '--json', '--export-path', exportPath], scratch);
    expect(run.exitCode, run.stderr).toBe(0);
    return (await readZip(join(exportPath, 'mymodel.mar'))).names;
  }

  const reference = tsDefault();
  const [file = '', folder = ''] = extraItemsOf(reference);
  let theirs: string[] = [];
  beforeAll(async () => {
    theirs = (await readZip(reference.archive ?? '')).names;
  });
  /** The reference names without the parts that come from the extra items not given. */
  const referenceWithout = (dropFile: boolean, dropFolder: boolean): string[] => {
    const children = new Set(folderChildren(reference, theirs));
    return theirs.filter((name) => !(dropFile && name === basename(file)) && !(dropFolder && children.has(name)));
  };

  it('a comma list of a nested file path and a folder: the reference names exactly', async () => {
    const ours = await namesWith('comma', [`${file},${folder}`]);
    expect(sorted(ours)).toEqual(sorted([...theirs, INTEGRITY]));
  });

  it('the same items as repeated flags: the same names', async () => {
    const ours = await namesWith('repeated', [file, folder]);
    expect(sorted(ours)).toEqual(sorted([...theirs, INTEGRITY]));
  });

  it('a nested file path alone: the file at the root', async () => {
    const ours = await namesWith('file', [file]);
    expect(sorted(ours)).toEqual(sorted([...referenceWithout(false, true), INTEGRITY]));
    expect(ours).toContain(basename(file));
  });

  it("a folder alone: its children (and their subfolders) at the root, not the folder's name", async () => {
    const ours = await namesWith('folder', [folder]);
    expect(sorted(ours)).toEqual(sorted([...referenceWithout(true, false), INTEGRITY]));
    expect(ours.some((name) => name.startsWith(`${basename(folder)}/`))).toBe(false);
  });

  it('a glob inside the folder: each match under its base name', async () => {
    const ours = await namesWith('glob', [`${folder}/inner/*.txt`]);
    const inner = folderChildren(reference, theirs).filter((name) => name.startsWith('inner/'));
    expect(inner.length).toBeGreaterThan(0);
    expect(sorted(ours)).toEqual(sorted([...referenceWithout(true, true), ...inner.map((n) => basename(n)), INTEGRITY]));
  });

  it('the deprecated --flatten-extra-files changes nothing; with --keep-extra-paths it is a usage error', async () => {
    expect(sorted(await namesWith('flatten', [`${file},${folder}`], ['--flatten-extra-files']))).toEqual(sorted([...theirs, INTEGRITY]));
    const run = await runCli(['--model-name', 'x', '-v', '1', '--handler', 'base_handler', '--extra-files', file.replaceAll('<scratch>/', ''),
      '--flatten-extra-files', '--keep-extra-paths', '--json'], scratch);
    expect(run.exitCode).toBe(2);
    expect(errorCodeOf(run)).toBe('INVALID_OPTION');
  });

  it('two inputs landing on one root name are refused with ENTRY_COLLISION (TorchServe overwrites silently)', async () => {
    const exportPath = join(scratch, 'work/out/forms/collision');
    const run = await runCli(['--model-name', 'mymodel', '-v', '1', '--handler', 'base_handler', '--serialized-file',
      'fixture/ts_in/model.pt', '--extra-files', 'fixture/model_clean/model.pt', '--json', '--export-path', exportPath], scratch);
    expect(run.exitCode).toBe(3);
    expect(errorCodeOf(run)).toBe('ENTRY_COLLISION');
    expect(existsSync(exportPath) ? await readdir(exportPath) : []).toEqual([]);
  });
});

describe('failing reference cases give a coded error, their exit code, and leave nothing behind', () => {
  for (const reference of cases.filter((c) => c.exitCode !== 0)) {
    it(`${reference.name}`, async () => {
      const expected = EXPECTED_ERRORS[reference.name];
      expect(expected, `no expectation written for failing case ${reference.name}`).toBeDefined();
      if (expected === undefined) return;
      const exportPath = reference.exportPath.replaceAll('<scratch>', scratch);
      const output = outputPathOf(reference, scratch);
      if (expected.codes.includes('OUTPUT_EXISTS') && !existsSync(output)) {
        await mkdir(exportPath, { recursive: true });
        await writeFile(output, 'an earlier archive');
      }
      const before = existsSync(exportPath) ? sorted(await readdir(exportPath)) : [];
      const outputBefore = existsSync(output) ? await readFile(output) : undefined;

      const run = await runCli(argsFor(reference, scratch, ['--json']), scratch);
      expect(run.exitCode).toBe(expected.exitCode);
      expect(jsonOf(run).ok).toBe(false);
      expect(expected.codes).toContain(errorCodeOf(run));

      const after = existsSync(exportPath) ? sorted(await readdir(exportPath)) : [];
      expect(after).toEqual(before);
      if (outputBefore !== undefined) expect((await readFile(output)).equals(outputBefore)).toBe(true);
    });
  }

  it('prints the error as `model-archiver: error CODE: ...` on stderr without --json', async () => {
    const reference = cases.find((c) => c.name === 'ts_bad_name');
    const run = await runCli(argsFor(reference as ReferenceCase, scratch), scratch);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith('model-archiver: error MODEL_NAME_INVALID: ')).toBe(true);
  });
});
