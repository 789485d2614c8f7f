import { LABEL_FILE } from '../../vocabulary/builtin-handlers.js';
import type { LintRule } from '../lint-types.js';

/** MA025: the label file is where handlers look for it. */
export const labelFileNested: LintRule = {
  id: 'MA025',
  name: 'label-file-nested',
  severity: 'warning',
  description: `An ${LABEL_FILE} in the archive is at its root, where TorchServe's BaseHandler and the built-in image_classifier read it (a nested copy is never found).`,
  help: 'Rebuild without --keep-extra-paths: --extra-files then puts files at the archive root, as torch-model-archiver does.',
  check: (ctx) => {
    const files = ctx.archive.entries.filter((e) => e.type === 'file');
    if (files.some((e) => e.path === LABEL_FILE)) return [];
    return files
      .filter((e) => e.path.endsWith(`/${LABEL_FILE}`))
      .map((e) => ({ message: `${e.path} is not at the archive root: handlers will not find their labels`, entry: e.path }));
  },
};

/** Rules about where files sit for the loaders, in id order. */
export const LAYOUT_LINT_RULES: readonly LintRule[] = [labelFileNested];
