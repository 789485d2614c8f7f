import { chmod, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planArchive } from '../src/index.js';
import { codeOf, errorOf, makeTempDir, writeReferenceFixture, writeTree } from './plan-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  dir = await realpath(dir);
  await writeReferenceFixture(dir);
});
afterEach(async () => cleanup());

const names = (plan: { files: { archivePath: string }[] }): string[] => plan.files.map((f) => f.archivePath);

describe('planArchive with modelPath (MMS folder mode)', () => {
  it('plans exactly the files of the reference mms_default archive, sorted by byte order', async () => {
    const plan = await planArchive({ modelName: 'mymodel', handler: 'handler:handle', modelPath: 'model_clean', cwd: dir, exportPath: 'out' });
    expect(names(plan)).toEqual(['.hidden', 'extra.txt', 'handler.py', 'link_to_extra.txt', 'model.pt', 'sub/deeper/x.bin', 'sub/nested.json']);
    expect(plan.flavour).toBe('mms');
    expect(plan.runtime).toBe('python');
    expect(plan.manifestHandler).toBe('handler:handle');
    expect(plan.outputPath).toBe(path.join(dir, 'out', 'mymodel.mar'));
  });

  it('archives a file link with the target content and reports the folder link as not followed', async () => {
    const plan = await planArchive({ modelName: 'm', handler: 'handler:handle', modelPath: 'model_clean', cwd: dir });
    const link = plan.files.find((f) => f.archivePath === 'link_to_extra.txt');
    expect(link).toMatchObject({ sourcePath: path.join(dir, 'model_clean', 'extra.txt'), size: 11, mode: 0o644 });
    expect(plan.files.some((f) => f.archivePath.startsWith('linkdir/'))).toBe(false);
    expect(plan.warnings.some((w) => w.includes('linkdir'))).toBe(true);
  });

  it('stores sizes from stat and normalises modes to 0644 or 0755', async () => {
    await chmod(path.join(dir, 'model_clean', 'model.pt'), 0o700);
    await chmod(path.join(dir, 'model_clean', 'extra.txt'), 0o600);
    const plan = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model_clean', cwd: dir });
    expect(plan.files.find((f) => f.archivePath === 'model.pt')).toMatchObject({ mode: 0o755, size: 16 });
    expect(plan.files.find((f) => f.archivePath === 'extra.txt')).toMatchObject({ mode: 0o644, size: 11 });
  });

  it('refuses the tree with a dangling link (reference model/) with SYMLINK_DANGLING', async () => {
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model', cwd: dir }));
    expect(error.code).toBe('SYMLINK_DANGLING');
    expect(error.details).toMatchObject({ link: path.join(dir, 'model', 'dangling_link'), target: '/nonexistent/target' });
  });

  it('accepts a dangling link that .marignore excludes, and does not archive .marignore itself', async () => {
    await writeFile(path.join(dir, 'model', '.marignore'), 'dangling_link\nsub/deeper/\n*.txt\n!extra.txt\n');
    const plan = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model', cwd: dir });
    expect(names(plan)).toEqual(['.hidden', 'extra.txt', 'handler.py', 'model.pt', 'sub/nested.json']);
  });

  it('applies options.ignoreFile on top of .marignore and ignores .marignore when ignoreFile is false', async () => {
    await writeFile(path.join(dir, 'model_clean', '.marignore'), 'model.pt\n');
    await writeFile(path.join(dir, 'extra-ignore'), 'sub/\n');
    const both = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model_clean', cwd: dir, ignoreFile: 'extra-ignore' });
    expect(names(both)).toEqual(['.hidden', 'extra.txt', 'handler.py', 'link_to_extra.txt']);
    const none = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model_clean', cwd: dir, ignoreFile: false });
    expect(names(none)).toContain('.marignore');
    expect(names(none)).toContain('model.pt');
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir, ignoreFile: 'nope' }))).toBe('INPUT_NOT_FOUND');
  });

  it('applies the MMS filters at every depth', async () => {
    await writeTree(path.join(dir, 'model_clean', 'sub'), {
      'MANIFEST.json': '{}',
      'a.pyc': 'x',
      'b.DS_Store': 'x',
      'c.mar': 'x',
      '.git/config': 'x',
      '__pycache__/z': 'x',
      '.keep': 'x',
    });
    const plan = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model_clean', cwd: dir });
    expect(names(plan).filter((n) => n.startsWith('sub/'))).toEqual(['sub/.keep', 'sub/deeper/x.bin', 'sub/nested.json']);
  });

  it('refuses a link that leaves the tree with SYMLINK_ESCAPES', async () => {
    await writeFile(path.join(dir, 'outside.txt'), 'secret');
    await symlink('../outside.txt', path.join(dir, 'model_clean', 'escape.txt'));
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir }));
    expect(error.code).toBe('SYMLINK_ESCAPES');
    expect(error.details).toMatchObject({ link: path.join(dir, 'model_clean', 'escape.txt'), target: path.join(dir, 'outside.txt') });
  });

  it('refuses a link to a folder outside the tree and survives link cycles inside it', async () => {
    await symlink('..', path.join(dir, 'model_clean', 'up'));
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir }))).toBe('SYMLINK_ESCAPES');
    const { cleanup: c2, dir: other } = await makeTempDir();
    try {
      await writeTree(other, { 'a/file.txt': 'x', 'a/loop': { link: '..' }, self: { link: 'self' } });
      expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: other, cwd: dir }))).toBe('SYMLINK_DANGLING');
      await import('node:fs/promises').then((fs) => fs.unlink(path.join(other, 'self')));
      const plan = await planArchive({ modelName: 'm', handler: 'h', modelPath: other, cwd: dir });
      expect(names(plan)).toEqual(['a/file.txt']);
    } finally {
      await c2();
    }
  });

  it('skips FIFOs with a warning', async () => {
    execFileSync('mkfifo', [path.join(dir, 'model_clean', 'pipe')]);
    const plan = await planArchive({ modelName: 'm', handler: 'handler', modelPath: 'model_clean', cwd: dir });
    expect(names(plan)).not.toContain('pipe');
    expect(plan.warnings.some((w) => w.includes('pipe'))).toBe(true);
  });

  it('refuses files under MAR-INF/ (any case) with RESERVED_PATH', async () => {
    await writeTree(path.join(dir, 'model_clean'), { 'mar-inf/integrity.json': '{}' });
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir }));
    expect(error).toMatchObject({ code: 'RESERVED_PATH', details: { path: 'mar-inf/integrity.json' } });
  });

  it('lets the MMS filter drop MAR-INF/MANIFEST.json of an extracted archive', async () => {
    await writeTree(path.join(dir, 'model_clean'), { 'MAR-INF/MANIFEST.json': '{}' });
    const plan = await planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir });
    expect(names(plan).some((n) => n.startsWith('MAR-INF'))).toBe(false);
  });

  it('refuses names that differ only by case with ENTRY_COLLISION', async () => {
    await writeTree(path.join(dir, 'model_clean'), { 'Model.PT': 'x' });
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir }));
    expect(error.code).toBe('ENTRY_COLLISION');
    expect(error.details['sources']).toHaveLength(2);
  });

  it('leaves the build output out of the walk when exporting into the model folder', async () => {
    await writeTree(path.join(dir, 'model_clean'), { 'm.tar.gz': 'old output' });
    const plan = await planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir, exportPath: 'model_clean', archiveFormat: 'tgz' });
    expect(names(plan)).not.toContain('m.tar.gz');
  });

  it('keeps the handler string verbatim and warns when the module is not at the root', async () => {
    const plan = await planArchive({ modelName: 'm', handler: 'missing_mod:handle', modelPath: 'model_clean', cwd: dir });
    expect(plan.manifestHandler).toBe('missing_mod:handle');
    expect(plan.warnings.some((w) => w.includes('missing_mod.py'))).toBe(true);
    const ok = await planArchive({ modelName: 'm', handler: 'handler.py', modelPath: 'model_clean', cwd: dir, runtime: 'python3' });
    expect(ok.warnings.some((w) => w.includes('handler.py'))).toBe(false);
  });

  it('plans an empty folder as an archive with no files', async () => {
    const plan = await planArchive({ modelName: 'empty', handler: 'h', modelPath: 'empty_model', cwd: dir });
    expect(plan.files).toEqual([]);
  });

  it('reports a missing model path with INPUT_NOT_FOUND and a file with INPUT_NOT_DIRECTORY', async () => {
    expect(await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'nope', cwd: dir }))).toMatchObject({
      code: 'INPUT_NOT_FOUND',
      details: { path: path.join(dir, 'nope'), flag: 'modelPath' },
    });
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean/extra.txt', cwd: dir }))).toBe('INPUT_NOT_DIRECTORY');
  });

  it('resolves a node handler inside modelPath and names it by its archive path', async () => {
    await mkdir(path.join(dir, 'model_clean', 'lib'));
    await writeFile(path.join(dir, 'model_clean', 'lib', 'svc.mjs'), 'export const handle = () => [];');
    const plan = await planArchive({ modelName: 'm', handler: 'lib/svc:handle', modelPath: 'model_clean', cwd: dir });
    expect(plan.flavour).toBe('node');
    expect(plan.manifestHandler).toBe('lib/svc.mjs:handle');
    await writeFile(path.join(dir, 'model_clean', '.marignore'), 'lib/\n');
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'lib/svc:handle', modelPath: 'model_clean', cwd: dir }))).toBe('HANDLER_NOT_FOUND');
  });

  it('refuses file names with a backslash or a control character', async () => {
    await writeTree(path.join(dir, 'empty_model'), { 'a\\b.txt': 'x' });
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'empty_model', cwd: dir }))).toBe('ENTRY_BACKSLASH_PATH');
    const { dir: other, cleanup: c2 } = await makeTempDir();
    try {
      await writeTree(other, { 'line\nbreak.txt': 'x' });
      expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: other, cwd: dir }))).toBe('ENTRY_NUL_BYTE');
    } finally {
      await c2();
    }
  });

  it('stops with ABORTED when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', cwd: dir, signal: controller.signal }))).toBe('ABORTED');
  });

  it('refuses TorchServe-only file fields in the mms flavour and accepts them next to the tree for torchserve', async () => {
    await writeTree(dir, { 'req/requirements.txt': 'numpy' });
    const error = await errorOf(planArchive({ modelName: 'm', handler: 'h', modelPath: 'model_clean', requirementsFile: 'req/requirements.txt', cwd: dir }));
    expect(error).toMatchObject({ code: 'INVALID_OPTION', details: { options: ['requirementsFile'] } });
    const plan = await planArchive({
      modelName: 'm',
      version: '1.0',
      flavour: 'torchserve',
      handler: 'handler.py',
      modelPath: 'model_clean',
      requirementsFile: 'req/requirements.txt',
      cwd: dir,
    });
    expect(names(plan)).toContain('requirements.txt');
    expect(plan.manifestFiles).toEqual({ requirementsFile: 'requirements.txt' });
    expect(plan.manifestHandler).toBe('handler.py');
    const clash = { modelName: 'm', version: '1.0', flavour: 'torchserve' as const, handler: 'h', modelPath: 'model_clean', configFile: 'req/extra.txt', cwd: dir };
    await writeTree(dir, { 'req/extra.txt': 'other' });
    expect(await codeOf(planArchive(clash))).toBe('ENTRY_COLLISION');
  });
});
