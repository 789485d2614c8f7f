import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

// The folders of core/src form a layered graph: a folder may import another only if that one does not import it back,
// directly or through others. Files at the top of src (errors.ts, the entry points) are leaves or entry points and are
// left out. Type-only imports count: they are dependencies of the design even though they are erased at run time.

const src = fileURLToPath(new URL('../src/', import.meta.url));
const ENTRY_POINTS = new Set(['index.ts', 'read-entry.ts', 'check-entry.ts']);
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of `file` under src, or its file name when it sits at the top. */
function unitOf(file: string): string {
  return relative(src, file).split(sep)[0] ?? file;
}

/** Folder → folders it imports from. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(src)) {
    const from = unitOf(file);
    if (ENTRY_POINTS.has(from)) continue;
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = unitOf(resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts')));
      if (to !== from) targets.add(to);
    }
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** What each folder may import besides itself and the shared leaves (docs/architecture.md, "Source layout"). */
const ALLOWED: Record<string, readonly string[]> = {
  vocabulary: [],
  'json-check': ['vocabulary'],
  manifest: ['vocabulary', 'json-check'],
  read: ['vocabulary', 'manifest'],
  integrity: ['read', 'json-check'],
  extract: ['read', 'integrity'],
  verify: ['read', 'integrity'],
  inspect: ['read', 'integrity', 'verify', 'vocabulary'],
  lint: ['read', 'manifest', 'integrity', 'verify', 'inspect', 'vocabulary'],
  fs: [],
  tensor: [],
  zip: ['fs'],
  sign: ['read', 'integrity', 'verify', 'zip', 'fs'],
  builder: ['vocabulary', 'manifest', 'integrity', 'read', 'zip', 'fs'],
};
/** Files at the top of src that every folder may import. */
const SHARED_LEAVES = ['errors.ts', 'map-with-concurrency.ts', 'node-crypto.ts'];

describe('core/src folders', () => {
  it('import each other without cycles', () => {
    expect(cycles(folderGraph())).toEqual([]);
  });

  it('import only the folders docs/architecture.md allows', () => {
    const graph = folderGraph();
    const leaves = SHARED_LEAVES.filter((leaf) => graph.has(leaf));
    expect(leaves.sort()).toEqual([...SHARED_LEAVES].sort());
    expect([...graph.keys()].filter((unit) => !SHARED_LEAVES.includes(unit)).sort()).toEqual(Object.keys(ALLOWED).sort());
    const disallowed = [...graph].flatMap(([from, targets]) =>
      [...targets].filter((to) => !SHARED_LEAVES.includes(to) && !(ALLOWED[from] ?? []).includes(to)).map((to) => `${from} -> ${to}`),
    );
    expect(disallowed).toEqual([]);
  });

  it('the check sees a cycle when there is one', () => {
    const graph = new Map([
      ['verify', new Set(['sign', 'read'])],
      ['sign', new Set(['verify'])],
      ['read', new Set<string>()],
    ]);
    expect(cycles(graph)).toEqual([['sign', 'verify']]);
  });

  it('reads the real import graph (builder uses zip, nothing under src imports the builder but the entry points)', () => {
    const graph = folderGraph();
    expect(graph.get('builder')?.has('zip')).toBe(true);
    expect([...graph].filter(([, targets]) => targets.has('builder')).map(([from]) => from)).toEqual([]);
  });
});
