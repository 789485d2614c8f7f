import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * What each folder of the server may import (docs/architecture.md). `.` is the package root: shared leaves (logger,
 * metrics, options, model-settings, server-config, version) and the composition (`model-server.ts`).
 */
const ALLOWED: Record<string, readonly string[]> = {
  workers: ['workers', '.'],
  management: ['management', 'workers', '.'],
  http: ['http', 'management', 'workers', '.'],
  cli: ['cli', '.'],
  '.': ['.', 'http', 'management', 'workers', 'cli'],
};
/** Root files that only the composition and the bin may import from folders above them. */
const COMPOSITION = new Set(['model-server.ts', 'bin.ts', 'index.ts']);

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );

const folderOf = (file: string): string => {
  const rel = path.relative(SRC, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0]! : '.';
};

describe('server source layering', () => {
  const files = sources(SRC);
  const edges = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)].map((match) => ({
      from: path.relative(SRC, file),
      to: path.relative(SRC, path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts'))),
      fromFolder: folderOf(file),
      toFolder: folderOf(path.resolve(path.dirname(file), match[1]!)),
    })),
  );

  it('finds the sources and their imports', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(edges.length).toBeGreaterThan(40);
  });

  it('every folder imports only the folders below it', () => {
    const bad = edges.filter((edge) => !(ALLOWED[edge.fromFolder] ?? []).includes(edge.toFolder));
    expect(bad).toEqual([]);
  });

  it('only the bin entry and the composition import the command line or the composition', () => {
    const bad = edges.filter(
      (edge) => (edge.toFolder === 'cli' || (edge.toFolder === '.' && COMPOSITION.has(edge.to))) && edge.from !== 'bin.ts' && edge.fromFolder !== 'cli' && !COMPOSITION.has(edge.from),
    );
    expect(bad).toEqual([]);
  });

  it('the library entry does not export the command line', () => {
    expect(edges.filter((edge) => edge.from === 'index.ts' && edge.toFolder === 'cli')).toEqual([]);
  });
});
