/**
 * The archive paths the reference Python loaders (MMS `mms/model_loader.py`, TorchServe `ts/model_loader.py`) import
 * for the module part of a handler string, in order: a trailing `.py` dropped, the part after the last `/` imported
 * by (dotted) module name, from the handler's folder (first on `sys.path`) and from the model root, as a module file
 * or a package. Used by the linter and by `@model-archiver/runtime` to decide that a handler is a Python module.
 *
 * @example
 * pythonModuleCandidates('svc'); // ['svc.py', 'svc/__init__.py']
 * pythonModuleCandidates('lib/pkg.mod.py'); // ['lib/pkg/mod.py', 'lib/pkg/mod/__init__.py', 'pkg/mod.py', 'pkg/mod/__init__.py']
 */
export function pythonModuleCandidates(module: string): string[] {
  const cut = module.lastIndexOf('/');
  const dir = cut === -1 ? '' : module.slice(0, cut).replace(/^\.\//, '');
  const name = module.slice(cut + 1).replace(/\.py$/, '');
  if (name === '') return [];
  const asPath = name.split('.').join('/');
  const roots = dir !== '' && !dir.startsWith('/') ? [`${dir}/`, ''] : [''];
  return roots.flatMap((root) => [`${root}${asPath}.py`, `${root}${asPath}/__init__.py`]);
}
