import { lstat, readlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FIXTURE_MTIME, makeReferenceFixture } from '../../../../fixtures/make-reference-fixture.mjs';
import { REPO_ROOT, tempDir } from './cli-harness.js';

/** `fixture_tree.txt` lines: `<type> <mode> <size> <mtime> ./<path> -> <link target>`. */
const TREE = readFileSync(join(REPO_ROOT, 'fixtures/reference-fixture/fixture_tree.txt'), 'utf8')
  .split('\n')
  .map((line) => /^([dfl]) (\d+) (\d+) (\S+) \.\/(.+?) -> (.*)$/.exec(line))
  .filter((match): match is RegExpExecArray => match !== null)
  .map(([, type = '', mode = '', size = '', mtime = '', path = '', target = '']) => ({ type, mode, size: Number(size), mtime, path, target }));

let root = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir: root, cleanup } = await tempDir('fixture'));
  await makeReferenceFixture(join(root, 'fixture'));
});
afterAll(async () => cleanup());

describe('make-reference-fixture', () => {
  it('recreates every node of fixture_tree.txt with its type, mode, size and link target', async () => {
    expect(TREE.length).toBeGreaterThan(60);
    for (const node of TREE) {
      const full = join(root, 'fixture', node.path);
      const stat = await lstat(full);
      const type = stat.isSymbolicLink() ? 'l' : stat.isDirectory() ? 'd' : 'f';
      expect(type, node.path).toBe(node.type);
      if (type === 'l') {
        expect(await readlink(full), node.path).toBe(node.target);
      } else {
        expect((stat.mode & 0o777).toString(8), node.path).toBe(node.mode);
      }
      if (type === 'f') expect(stat.size, node.path).toBe(node.size);
      if (node.mtime.startsWith('2024-01-02_03:04:05')) expect(stat.mtimeMs, node.path).toBe(FIXTURE_MTIME.getTime());
    }
  });

  it('gives the pre-1980 file its 1975 mtime', async () => {
    const stat = await lstat(join(root, 'fixture/old_model/old.bin'));
    expect(stat.mtime.toISOString()).toBe('1975-01-01T00:00:00.000Z');
  });
});
