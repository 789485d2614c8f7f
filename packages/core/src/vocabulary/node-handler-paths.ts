/** Extensions tried, in order, for a node handler module named without one (`svc` -> `svc.mjs`, `svc.js`, `svc.cjs`). */
export const NODE_HANDLER_EXTENSIONS = ['.mjs', '.js', '.cjs'] as const;

/** A node handler module extension. */
export type NodeHandlerExtension = (typeof NODE_HANDLER_EXTENSIONS)[number];

/** True when `path` ends with one of {@link NODE_HANDLER_EXTENSIONS} (case-sensitive, as Node resolves them). */
export const hasNodeHandlerExtension = (path: string): boolean => NODE_HANDLER_EXTENSIONS.some((ext) => path.endsWith(ext));

/**
 * The archive paths `@model-archiver/runtime` tries, in order, for the module part of a node handler string:
 * `\` read as `/`, an absolute path (`/abs/dir/mod`, `C:/dir/mod`) keeps its last part as the reference loaders do,
 * leading `./` dropped, the extensions of {@link NODE_HANDLER_EXTENSIONS} tried when none is given.
 * A path that leaves the archive (`..`) or has empty segments gives no candidate.
 *
 * @example
 * nodeModuleCandidates('lib\\svc'); // ['lib/svc.mjs', 'lib/svc.js', 'lib/svc.cjs']
 */
export function nodeModuleCandidates(module: string): string[] {
  let path = module.replaceAll('\\', '/');
  if (path.startsWith('/') || /^[A-Za-z]:\//.test(path)) path = path.slice(path.lastIndexOf('/') + 1);
  path = path.replace(/^(\.\/)+/, '');
  if (path === '' || path.split('/').some((segment) => segment === '..' || segment === '')) return [];
  if (hasNodeHandlerExtension(path)) return [path];
  return NODE_HANDLER_EXTENSIONS.map((ext) => `${path}${ext}`);
}
