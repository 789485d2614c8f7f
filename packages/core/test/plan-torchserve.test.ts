import { realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planArchive, type BuildOptions } from '../src/index.js';
import { codeOf, errorOf, makeTempDir, writeReferenceFixture, writeTree } from './plan-helpers.js';

let dir: string;
let ts: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  dir = await realpath(dir);
  ts = path.join(dir, 'ts_in');
  await writeReferenceFixture(dir);
});
afterEach(async () => cleanup());

const names = (plan: { files: { archivePath: string }[] }): string[] => plan.files.map((f) => f.archivePath);

/** The ts_default reference command, with absolute paths as in command.txt. */
const tsDefault = (extra: Partial<BuildOptions> = {}): BuildOptions => ({
  modelName: 'mymodel',
  version: '1.0',
  serializedFile: path.join(ts, 'model.pt'),
  modelFile: path.join(ts, 'model.py'),
  handler: path.join(ts, 'handler.py'),
  extraFiles: [path.join(ts, 'index_to_name.json'), path.join(ts, 'extra_dir')],
  requirementsFile: path.join(ts, 'requirements.txt'),
  configFile: path.join(ts, 'model-config.yaml'),
  exportPath: path.join(dir, 'out'),
  cwd: dir,
  ...extra,
});

describe('planArchive with TorchServe inputs', () => {
  it('plans the names of the reference ts_default archive (TorchServe layout by default)', async () => {
    const plan = await planArchive(tsDefault());
    expect([...names(plan)].sort()).toEqual(
      ['model.py', '.hiddenfile', 'requirements.txt', 'model.pt', 'model-config.yaml', 'index_to_name.json', 'c.pyc', 'a.txt', 'handler.py', 'inner/b.txt'].sort(),
    );
    expect(plan.flavour).toBe('torchserve');
    expect(plan.manifestHandler).toBe('handler.py');
    expect(plan.manifestFiles).toEqual({
      serializedFile: 'model.pt',
      modelFile: 'model.py',
      requirementsFile: 'requirements.txt',
      configFile: 'model-config.yaml',
    });
  });

  it('accepts the deprecated flattenExtraFiles: true as the default, and refuses it with keepExtraPaths', async () => {
    expect(names(await planArchive(tsDefault({ flattenExtraFiles: true })))).toEqual(names(await planArchive(tsDefault())));
    expect(await codeOf(planArchive(tsDefault({ flattenExtraFiles: true, keepExtraPaths: true })))).toBe('INVALID_OPTION');
  });

  it('keeps extra folder layout with keepExtraPaths (paths relative to cwd)', async () => {
    const plan = await planArchive(tsDefault({ cwd: ts, keepExtraPaths: true }));
    expect(names(plan)).toEqual([
      'extra_dir/.hiddenfile',
      'extra_dir/a.txt',
      'extra_dir/c.pyc',
      'extra_dir/inner/b.txt',
      'handler.py',
      'index_to_name.json',
      'model-config.yaml',
      'model.pt',
      'model.py',
      'requirements.txt',
    ]);
  });

  it('stores items outside cwd under their base name with keepExtraPaths', async () => {
    const { dir: other, cleanup: c2 } = await makeTempDir();
    try {
      const plan = await planArchive(tsDefault({ cwd: other, keepExtraPaths: true }));
      expect(names(plan)).toContain('extra_dir/inner/b.txt');
      expect(names(plan)).toContain('index_to_name.json');
    } finally {
      await c2();
    }
  });

  it('refuses an extra file that collides with the serialized file, in flatten mode too', async () => {
    await writeTree(dir, { 'other/model.pt': 'different' });
    const error = await errorOf(
      planArchive({ modelName: 'm', version: '1', handler: 'base_handler', serializedFile: 'ts_in/model.pt', extraFiles: ['other'], flattenExtraFiles: true, cwd: dir }),
    );
    expect(error.code).toBe('ENTRY_COLLISION');
    expect(error.details).toMatchObject({ path: 'model.pt', sources: [path.join(ts, 'model.pt'), path.join(dir, 'other', 'model.pt')] });
  });

  it('refuses two flattened folders with the same child name', async () => {
    await writeTree(dir, { 'x/config.json': '1', 'y/1_Pooling/config.json': '2', 'y/config.json': '3' });
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['x', 'y'], flattenExtraFiles: true, cwd: dir }))).toBe('ENTRY_COLLISION');
    const kept = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['x', 'y'], keepExtraPaths: true, cwd: dir });
    expect(names(kept)).toEqual(['x/config.json', 'y/1_Pooling/config.json', 'y/config.json']);
  });

  it('keeps one entry when the same file is named twice', async () => {
    const plan = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', serializedFile: 'model.pt', extraFiles: ['model.pt', '*.pt'], cwd: ts });
    expect(names(plan)).toEqual(['model.pt']);
  });

  it('refuses a file and a folder of the same name, and case-only differences', async () => {
    await writeTree(dir, { 'a/b': 'x', 'A': 'y', 'c/README': 'z', 'c/readme': 'w' });
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['a', 'A'], keepExtraPaths: true, cwd: dir }))).toBe('ENTRY_COLLISION');
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['c'], cwd: dir }))).toBe('ENTRY_COLLISION');
  });

  it('refuses an extra folder holding MAR-INF/ with RESERVED_PATH', async () => {
    await writeTree(dir, { 'bad/MAR-INF/MANIFEST.json': '{}' });
    const flat = { modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['bad'], flattenExtraFiles: true, cwd: dir };
    expect(await codeOf(planArchive(flat))).toBe('RESERVED_PATH');
    expect(await codeOf(planArchive({ ...flat, extraFiles: ['MAR-INF'], flattenExtraFiles: false, cwd: path.join(dir, 'bad') }))).toBe('RESERVED_PATH');
  });

  it('expands globs relative to cwd, trims items and warns on unmatched patterns', async () => {
    const items = [' *.json ', 'extra_dir/inner/*.txt', 'nothing-*.bin', '[mr]*.txt'];
    const plan = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: items, cwd: ts });
    expect(names(plan)).toEqual(['b.txt', 'index_to_name.json', 'requirements.txt']);
    expect(plan.warnings.some((w) => w.includes('nothing-*.bin'))).toBe(true);
    const kept = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: items, keepExtraPaths: true, cwd: ts });
    expect(names(kept)).toEqual(['extra_dir/inner/b.txt', 'index_to_name.json', 'requirements.txt']);
  });

  it('reports a missing plain extra file with INPUT_NOT_FOUND and its path', async () => {
    const error = await errorOf(planArchive({ modelName: 'x', version: '1.0', handler: 'base_handler', extraFiles: [path.join(ts, 'missing.json')], cwd: dir }));
    expect(error).toMatchObject({ code: 'INPUT_NOT_FOUND', details: { path: path.join(ts, 'missing.json'), flag: 'extraFiles' } });
  });

  it.each(['serializedFile', 'modelFile', 'requirementsFile', 'configFile'] as const)(
    'reports a missing %s with INPUT_NOT_FOUND naming the flag',
    async (flag) => {
      const error = await errorOf(planArchive({ modelName: 'x', version: '1.0', handler: 'base_handler', [flag]: 'nope.bin', cwd: dir }));
      expect(error).toMatchObject({ code: 'INPUT_NOT_FOUND', details: { path: path.join(dir, 'nope.bin'), flag } });
    },
  );

  it('refuses a folder given as serializedFile with INVALID_OPTION', async () => {
    expect(await codeOf(planArchive({ modelName: 'x', version: '1.0', handler: 'base_handler', serializedFile: 'ts_in', cwd: dir }))).toBe('INVALID_OPTION');
  });

  it('copies nothing for built-in handlers', async () => {
    const plan = await planArchive({ modelName: 'm-builtin', version: '2.0', serializedFile: 'ts_in/model.pt', handler: 'image_classifier', cwd: dir });
    expect(names(plan)).toEqual(['model.pt']);
    expect(plan.manifestHandler).toBe('image_classifier');
    const minimal = await planArchive({ modelName: 'minimal', version: '1.0', handler: 'base_handler', cwd: dir });
    expect(minimal.files).toEqual([]);
    expect(minimal.flavour).toBe('torchserve');
  });

  it('resolves handler paths with a function, a folder, or no extension', async () => {
    const func = await planArchive({ modelName: 'm', version: '1', handler: `${ts}/handler:my_fn`, cwd: dir });
    expect(func.manifestHandler).toBe('handler:my_fn');
    expect(func.files).toMatchObject([{ archivePath: 'handler.py', sourcePath: path.join(ts, 'handler.py') }]);
    const colon = await planArchive({ modelName: 'm', version: '1', handler: 'ts_in/handler.py:fn', cwd: dir });
    expect(colon.manifestHandler).toBe('handler.py:fn');
    expect(names(colon)).toEqual(['handler.py']);
    await writeTree(dir, { 'my.pyenv/h.py': 'x' });
    const dotted = await planArchive({ modelName: 'm', version: '1', handler: 'my.pyenv/h', cwd: dir });
    expect(names(dotted)).toEqual(['h.py']);
    expect(dotted.manifestHandler).toBe('h');
  });

  it('reports a missing handler file with INPUT_NOT_FOUND (flag handler)', async () => {
    const error = await errorOf(planArchive({ modelName: 'm', version: '1', handler: 'ts_in/nope:fn', cwd: dir }));
    expect(error).toMatchObject({ code: 'INPUT_NOT_FOUND', details: { flag: 'handler', path: path.join(ts, 'nope.py') } });
  });

  it('follows an extra file link inside cwd and refuses one leaving cwd', async () => {
    await symlink('ts_in/model.pt', path.join(dir, 'weights.pt'));
    const plan = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['weights.pt'], cwd: dir });
    expect(plan.files).toMatchObject([{ archivePath: 'weights.pt', sourcePath: path.join(ts, 'model.pt'), size: 16 }]);
    await symlink('../handler.py', path.join(ts, 'extra_dir', 'up.py'));
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['extra_dir'], cwd: ts }))).toBe('SYMLINK_ESCAPES');
    await symlink(path.join(dir, 'model_clean', 'model.pt'), path.join(ts, 'outside.pt'));
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', serializedFile: 'outside.pt', cwd: ts }))).toBe('SYMLINK_ESCAPES');
    await symlink('missing.pt', path.join(ts, 'dangling.pt'));
    expect(await codeOf(planArchive({ modelName: 'm', version: '1', handler: 'base_handler', serializedFile: 'dangling.pt', cwd: ts }))).toBe('SYMLINK_DANGLING');
  });

  it('honours .marignore at the root of an extra folder', async () => {
    await writeFile(path.join(ts, 'extra_dir', '.marignore'), '*.pyc\ninner/\n');
    const plan = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['extra_dir'], cwd: ts });
    expect(names(plan)).toEqual(['.hiddenfile', 'a.txt']);
  });

  it('requires a version for the torchserve flavour', async () => {
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'base_handler', serializedFile: 'ts_in/model.pt', cwd: dir }));
    expect(error).toMatchObject({ code: 'INVALID_OPTION', details: { option: 'version' } });
  });

  it('refuses modelPath combined with serializedFile, modelFile or extraFiles', async () => {
    for (const extra of [{ serializedFile: 'x' }, { modelFile: 'x' }, { extraFiles: ['x'] }]) {
      expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir, ...extra }))).toBe('INVALID_OPTION');
    }
  });

  it('warns when keepExtraPaths leaves index_to_name.json out of the root, where handlers look for it', async () => {
    await writeTree(dir, { 'labels/index_to_name.json': '{}' });
    const kept = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['labels/index_to_name.json'], keepExtraPaths: true, cwd: dir });
    expect(names(kept)).toEqual(['labels/index_to_name.json']);
    expect(kept.warnings.some((w) => w.includes('labels/index_to_name.json'))).toBe(true);
    const flat = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['labels/index_to_name.json'], cwd: dir });
    expect(names(flat)).toEqual(['index_to_name.json']);
    expect(flat.warnings).toEqual([]);
  });

  it('leaves an existing output out of glob matches', async () => {
    await writeTree(ts, { 'm.mar': 'old archive' });
    const plan = await planArchive({ modelName: 'm', version: '1', handler: 'base_handler', extraFiles: ['*.mar', '*.json'], cwd: ts });
    expect(names(plan)).toEqual(['index_to_name.json']);
  });
});
