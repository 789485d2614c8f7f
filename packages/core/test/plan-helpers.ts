import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isModelArchiveError } from '../src/errors.js';

/** A temp folder for one test; `cleanup` removes it. */
export const makeTempDir = async (): Promise<{ dir: string; cleanup: () => Promise<void> }> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

/** Writes files (`name: content`) and links (`name: { link: target }`) below `root`. */
export const writeTree = async (root: string, tree: Record<string, string | { link: string }>): Promise<void> => {
  for (const [name, value] of Object.entries(tree)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof value === 'string') await writeFile(file, value);
    else await symlink(value.link, file);
  }
};

const bytes = (n: number): string => 'x'.repeat(n);

/** The `model_clean` tree of /work/shared/reference/fixture_tree.txt (sizes kept; contents are filler). */
export const MODEL_CLEAN_TREE: Record<string, string | { link: string }> = {
  '.DS_Store': bytes(3),
  '.hidden': bytes(7),
  '.hiddendir/secret.txt': bytes(7),
  'MANIFEST.json': bytes(16),
  '__MACOSX/junk': bytes(4),
  '__pycache__/handler.cpython-311.pyc': bytes(4),
  'extra.txt': bytes(11),
  'foo.pyc': bytes(4),
  'handler.py': bytes(98),
  'link_to_extra.txt': { link: 'extra.txt' },
  linkdir: { link: 'sub' },
  'model.pt': bytes(16),
  'old.mar': bytes(4),
  'sub/deeper/x.bin': bytes(64),
  'sub/nested.json': bytes(9),
};

/** The `ts_in` tree of the reference fixture. */
export const TS_IN_TREE: Record<string, string | { link: string }> = {
  'extra_dir/.hid/h.txt': bytes(2),
  'extra_dir/.hiddenfile': bytes(3),
  'extra_dir/__pycache__/p.pyc': bytes(2),
  'extra_dir/a.txt': bytes(2),
  'extra_dir/c.pyc': bytes(4),
  'extra_dir/inner/b.txt': bytes(2),
  'handler.py': bytes(98),
  'index_to_name.json': bytes(12),
  'model-config.yaml': bytes(27),
  'model.pt': bytes(16),
  'model.py': bytes(50),
  'requirements.txt': bytes(11),
};

/** Builds the reference fixture below `root`: `model_clean/` (plus empty_dir), `model/` (with a dangling link), `ts_in/`. */
export const writeReferenceFixture = async (root: string): Promise<void> => {
  await writeTree(path.join(root, 'model_clean'), MODEL_CLEAN_TREE);
  await mkdir(path.join(root, 'model_clean', 'empty_dir'));
  await writeTree(path.join(root, 'model'), { ...MODEL_CLEAN_TREE, dangling_link: { link: '/nonexistent/target' } });
  await writeTree(path.join(root, 'ts_in'), TS_IN_TREE);
  await mkdir(path.join(root, 'empty_model'));
};

/** The error code a promise rejects with (fails the test if it resolves or throws something uncoded). */
export const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (isModelArchiveError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a ModelArchiveError, but the promise resolved');
};

/** The coded error a promise rejects with. */
export const errorOf = async (promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> => {
  try {
    await promise;
  } catch (error) {
    if (isModelArchiveError(error)) return { code: error.code, details: { ...error.details } };
    throw error;
  }
  throw new Error('expected a ModelArchiveError, but the promise resolved');
};
