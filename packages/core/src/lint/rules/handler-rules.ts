import { NODE_BUILTIN_HANDLERS } from '../../vocabulary/builtin-handlers.js';
import type { HandlerTarget } from '../handler-target.js';
import type { LintContext, LintIssue, LintRule } from '../lint-types.js';
import { scanModuleExports } from '../module-exports.js';
import type { ModuleExports } from '../module-exports.js';

const target = (ctx: LintContext, language: HandlerTarget['language']): HandlerTarget | undefined => {
  const handler = ctx.handler();
  return handler !== undefined && handler.language === language && !handler.builtin ? handler : undefined;
};

/** MA008: a Python handler module is in the archive. */
export const pythonHandlerModule: LintRule = {
  id: 'MA008',
  name: 'python-handler-module',
  severity: 'warning',
  description:
    'For Python runtimes, the handler module (`module.py` or `module/__init__.py`, as the MMS/TorchServe loaders import it) is in the archive or is a TorchServe built-in handler.',
  help: 'Add the handler file to the archive. It is a warning, not an error: the worker can also import a module installed on its PYTHONPATH.',
  check: (ctx) => {
    const handler = target(ctx, 'python');
    if (handler === undefined || handler.found !== undefined) return [];
    return [
      {
        message: `Handler ${JSON.stringify(handler.handler)}: none of ${handler.candidates.join(', ')} is in the archive (it must then be installed on the worker)`,
        code: 'HANDLER_MODULE_NOT_FOUND',
      },
    ];
  },
};

/** MA009: a node handler module is in the archive. */
export const nodeHandlerModule: LintRule = {
  id: 'MA009',
  name: 'node-handler-module',
  severity: 'error',
  description:
    `For the node runtime, the handler module (\`[dir/]module\` with \`.mjs\`, \`.js\` or \`.cjs\`) is in the archive, or the handler is a built-in (${NODE_BUILTIN_HANDLERS.join(', ')}).`,
  help: 'Add the handler module to the archive or fix model.handler.',
  check: (ctx) => {
    const handler = target(ctx, 'node');
    if (handler === undefined || handler.found !== undefined) return [];
    const tried = handler.candidates.length > 0 ? `none of ${handler.candidates.join(', ')} is in the archive` : 'it is not a path inside the archive';
    return [{ message: `Handler ${JSON.stringify(handler.handler)}: ${tried}`, code: 'HANDLER_MODULE_NOT_FOUND' }];
  },
};

const exportList = (exports: ModuleExports): string => [...exports.names].sort().join(', ') || '(nothing)';

/** What `@model-archiver/runtime` would find, judged from the export list. */
function checkExports(handler: HandlerTarget, exports: ModuleExports): { error?: string; unknown?: string } {
  const module = handler.found ?? handler.handler;
  if (handler.functionName !== undefined) {
    if (exports.names.has(handler.functionName)) return {};
    if (!exports.complete) return { unknown: `${module} may export ${handler.functionName} at run time` };
    return { error: `${module} does not export ${handler.functionName}; it exports: ${exportList(exports)}` };
  }
  if (exports.names.has('handle') || exports.names.has('default')) return {};
  const classes = [...exports.classes].filter((c) => c !== 'default');
  if (classes.length === 1) return {};
  if (classes.length > 1) {
    return { error: `${module} exports several classes (${classes.join(', ')}) and no default export or handle function` };
  }
  if (!exports.complete) return { unknown: `${module} builds its exports at run time` };
  return { error: `${module} exports no handle function, no default export and no class; it exports: ${exportList(exports)}` };
}

async function exportsOf(ctx: LintContext): Promise<{ handler: HandlerTarget; exports: ModuleExports } | undefined> {
  const handler = target(ctx, 'node');
  if (handler?.found === undefined) return undefined;
  return { handler, exports: scanModuleExports(await ctx.readText(handler.found), handler.found) };
}

/** MA010: the node handler module exports what the handler string names. */
export const nodeHandlerExport: LintRule = {
  id: 'MA010',
  name: 'node-handler-export',
  severity: 'error',
  description:
    'The node handler module exports the function named after ":" or, without one, a `handle` function, a default export or exactly one class. Found by reading the source, without running it.',
  help: 'Export the function (export async function handle(batch, context) {...}) or name the right one in model.handler. `lint --load` imports it for real.',
  check: async (ctx): Promise<LintIssue[]> => {
    const found = await exportsOf(ctx);
    if (found === undefined) return [];
    const result = checkExports(found.handler, found.exports);
    return result.error === undefined ? [] : [{ message: result.error, entry: found.handler.found, code: 'HANDLER_FUNCTION_NOT_FOUND' }];
  },
};

/** MA011: the handler's exports could not be listed statically. */
export const nodeHandlerDynamic: LintRule = {
  id: 'MA011',
  name: 'node-handler-dynamic',
  severity: 'note',
  description: 'The node handler module builds its exports at run time (export * from, module.exports = value, Object.assign), so MA010 could not check it.',
  help: 'Run `model-archiver lint --load` to import the handler and check it for real.',
  check: async (ctx): Promise<LintIssue[]> => {
    const found = await exportsOf(ctx);
    if (found === undefined) return [];
    const result = checkExports(found.handler, found.exports);
    return result.unknown === undefined ? [] : [{ message: result.unknown, entry: found.handler.found }];
  },
};

/** Handler rules, in id order. */
export const HANDLER_LINT_RULES: readonly LintRule[] = [pythonHandlerModule, nodeHandlerModule, nodeHandlerExport, nodeHandlerDynamic];
