import type { LintContext, LintRule, LintRuleInfo } from './lint-types.js';
import { ENTRY_LINT_RULES } from './rules/entry-rules.js';
import { HANDLER_LINT_RULES } from './rules/handler-rules.js';
import { INTEGRITY_LINT_RULES } from './rules/integrity-rules.js';
import { LAYOUT_LINT_RULES } from './rules/layout-rules.js';
import { MANIFEST_LINT_RULES } from './rules/manifest-rules.js';
import { ONNX_LINT_RULES } from './rules/onnx-rules.js';

/** MA001: reported by the engine when an archive cannot be opened or read (not a `check`). */
export const ARCHIVE_UNREADABLE_RULE: LintRuleInfo = {
  id: 'MA001',
  name: 'archive-unreadable',
  severity: 'error',
  description:
    'The archive exists, is a zip, tar.gz or folder, and passes the safe reader (paths, links, limits, CRC): otherwise nothing else can be checked.',
  help: 'The finding carries the reader error code (docs/security.md lists them); rebuild the archive.',
};

/**
 * Archives `--load` can load: the node runtime, and MMS/TorchServe archives whose handler is a Python module present in
 * the archive (TorchServe's built-in handlers and native `LSP` handlers are not loadable here).
 */
const loadable = (ctx: LintContext): boolean => {
  if (ctx.manifest?.runtime === 'node') return true;
  const target = ctx.handler();
  return target?.language === 'python' && target.found !== undefined;
};

/** MA024: with `--load`, the handler is imported and initialised for real (`loadHandler` option). */
export const handlerLoad: LintRule = {
  id: 'MA024',
  name: 'handler-load',
  severity: 'error',
  description:
    'With --load (node runtime, or a Python handler module in the archive): the archive is loaded by @model-archiver/runtime, its handler module imported (in a Python worker for .py handlers) and initialize(context) called, then closed.',
  help: 'The finding carries the runtime error code (HANDLER_IMPORT_FAILED, HANDLER_INIT_FAILED, MODEL_LOAD_FAILED, PYTHON_NOT_FOUND, ...) and its message.',
  check: async (ctx) => (ctx.load === undefined || !loadable(ctx) ? [] : ctx.load()),
};

/** Every rule with a check, in id order. */
export const LINT_RULES: readonly LintRule[] = [
  ...MANIFEST_LINT_RULES,
  ...HANDLER_LINT_RULES,
  ...ENTRY_LINT_RULES,
  ...INTEGRITY_LINT_RULES,
  ...ONNX_LINT_RULES,
  handlerLoad,
  ...LAYOUT_LINT_RULES,
];

/** Every rule's metadata, MA001 included, in id order (for docs, SARIF `tool.driver.rules`). */
export const LINT_RULE_INFO: readonly LintRuleInfo[] = [ARCHIVE_UNREADABLE_RULE, ...LINT_RULES].map(
  ({ id, name, severity, description, help }) => ({ id, name, severity, description, help }),
);
