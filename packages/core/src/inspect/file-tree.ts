/** A folder or file of the tree built by {@link buildFileTree}. */
export interface FileTreeNode {
  /** Last path segment (`''` for the root). */
  name: string;
  /** Full archive path (`''` for the root); folders have no trailing slash. */
  path: string;
  /** File size, or the sum of the sizes below a folder. */
  size: number;
  /** Present on folders, sorted: folders first, then files, each by name. */
  children?: FileTreeNode[];
}

/** Something with a path and a size (an archive entry). */
export interface SizedPath {
  path: string;
  size: number;
  type?: string;
}

const byKindThenName = (a: FileTreeNode, b: FileTreeNode): number => {
  const kind = Number(b.children !== undefined) - Number(a.children !== undefined);
  return kind !== 0 ? kind : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

/** Builds a folder tree from flat entry paths, summing sizes upwards. Directory entries only create folders. */
export function buildFileTree(entries: readonly SizedPath[]): FileTreeNode {
  const root: FileTreeNode = { name: '', path: '', size: 0, children: [] };
  const folders = new Map<string, FileTreeNode>([['', root]]);
  const folder = (path: string): FileTreeNode => {
    const found = folders.get(path);
    if (found !== undefined) return found;
    const cut = path.lastIndexOf('/');
    const parent = folder(cut === -1 ? '' : path.slice(0, cut));
    const node: FileTreeNode = { name: path.slice(cut + 1), path, size: 0, children: [] };
    parent.children?.push(node);
    folders.set(path, node);
    return node;
  };
  for (const entry of entries) {
    const path = entry.path.replace(/\/+$/, '');
    if (path === '') continue;
    if (entry.type === 'directory') {
      folder(path);
      continue;
    }
    const cut = path.lastIndexOf('/');
    const parent = folder(cut === -1 ? '' : path.slice(0, cut));
    parent.children?.push({ name: path.slice(cut + 1), path, size: entry.size });
    for (let p: string | undefined = cut === -1 ? '' : path.slice(0, cut); p !== undefined; ) {
      const node = folders.get(p);
      if (node) node.size += entry.size;
      if (p === '') break;
      const up = p.lastIndexOf('/');
      p = up === -1 ? '' : p.slice(0, up);
    }
  }
  const sort = (node: FileTreeNode): void => {
    if (!node.children) return;
    node.children.sort(byKindThenName);
    node.children.forEach(sort);
  };
  sort(root);
  return root;
}
