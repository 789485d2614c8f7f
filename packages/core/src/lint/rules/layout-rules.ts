import { LABEL_FILE, nestedLabelFiles } from '../../vocabulary/builtin-handlers.js';
import { MANIFEST_PATH } from '../../vocabulary/manifest-flavours.js';
import type { LintRule } from '../lint-types.js';

/** MA025: the label file is where handlers look for it. */
export const labelFileNested: LintRule = {
  id: 'MA025',
  name: 'label-file-nested',
  severity: 'warning',
  description: `An ${LABEL_FILE} in the archive is at its root, where TorchServe's BaseHandler and the built-in image_classifier read it (a nested copy is never found).`,
  help: 'Rebuild without --keep-extra-paths: --extra-files then puts files at the archive root, as torch-model-archiver does.',
  check: (ctx) => {
    const files = ctx.archive.entries.filter((e) => e.type === 'file').map((e) => e.path);
    return nestedLabelFiles(files).map((path) => ({ message: `${path} is not at the archive root: handlers will not find their labels`, entry: path }));
  },
};

/** MA026: one manifest (the reader takes the last of several, as the servers do). */
export const duplicateManifest: LintRule = {
  id: 'MA026',
  name: 'duplicate-manifest',
  severity: 'warning',
  description: `${MANIFEST_PATH} appears once. torch-model-archiver writes a second copy when an --extra-files folder holds MAR-INF/; TorchServe and Python's zipfile then use the last one, which this tool reads too.`,
  help: 'Rebuild with model-archiver create: an input landing under MAR-INF/ is refused (RESERVED_PATH) instead of duplicated.',
  check: (ctx) =>
    ctx.archive.shadowedManifests.map((shadowed, index) => ({
      message: `${MANIFEST_PATH} copy ${index + 1} of ${ctx.archive.shadowedManifests.length + 1} (${shadowed.size} bytes) is ignored: the last copy is the manifest`,
      entry: MANIFEST_PATH,
      code: 'ENTRY_DUPLICATE',
    })),
};

/** Rules about where files sit for the loaders, in id order. */
export const LAYOUT_LINT_RULES: readonly LintRule[] = [labelFileNested, duplicateManifest];
