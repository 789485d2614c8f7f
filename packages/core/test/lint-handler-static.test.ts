import { describe, expect, it } from 'vitest';

import { resolveHandlerTarget } from '../src/lint/handler-target.js';
import { scanModuleExports } from '../src/lint/module-exports.js';

const names = (source: string, file = 'handler.mjs'): string[] => [...scanModuleExports(source, file).names].sort();

describe('scanModuleExports', () => {
  it('finds ES module function, class, const and default exports', () => {
    const source = `
      import x from './x.js';
      export async function handle(batch, context) { return batch; }
      export function* gen() {}
      export class Model {}
      export const initialize = async () => {}, unused = 1;
      export let { a, b: renamed } = x;
      export default class {}
    `;
    const result = scanModuleExports(source, 'handler.mjs');
    expect([...result.names].sort()).toEqual(['Model', 'a', 'default', 'gen', 'handle', 'initialize', 'renamed']);
    expect([...result.classes].sort()).toEqual(['Model', 'default']);
    expect(result.complete).toBe(true);
  });

  it('reads export lists with renames, including "as default"', () => {
    expect(names('function run() {}\nclass H {}\nexport { run as handle, H as default, run };')).toEqual(['default', 'handle', 'run']);
    expect(names("export { handle } from './impl.mjs';")).toEqual(['handle']);
    expect(names("export * as tools from './tools.mjs';")).toEqual(['tools']);
  });

  it('ignores exports inside comments and strings', () => {
    const source = `
      // export function handle() {}
      /* export class Hidden {} */
      const s = "export function fake() {}";
      const t = \`export const alsoFake = 1\`;
      export function real() {}
    `;
    expect(names(source)).toEqual(['real']);
  });

  it('marks export * from another module as not enumerable', () => {
    const result = scanModuleExports("export * from './impl.mjs';", 'handler.mjs');
    expect(result.complete).toBe(false);
  });

  it('reads CommonJS exports in .cjs files', () => {
    expect(names('exports.handle = async () => [];\nmodule.exports.initialize = function () {};', 'h.cjs')).toEqual(['handle', 'initialize']);
    expect(names('module.exports = { handle, initialize: init, async close() {} };', 'h.cjs')).toEqual(['close', 'default', 'handle', 'initialize']);
    expect(names('module.exports = class Handler {};', 'h.cjs')).toEqual(['default']);
    expect(scanModuleExports('module.exports = class Handler {};', 'h.cjs').classes.has('default')).toBe(true);
  });

  it('marks CommonJS exports built at run time as not enumerable', () => {
    expect(scanModuleExports('module.exports = makeHandler();', 'h.cjs').complete).toBe(false);
    expect(scanModuleExports('Object.assign(module.exports, impl);', 'h.cjs').complete).toBe(false);
    expect(scanModuleExports('module.exports = { ...impl };', 'h.cjs').complete).toBe(false);
  });

  it('does not read ESM syntax in .cjs files nor CommonJS in .mjs files', () => {
    expect(names('export function handle() {}', 'h.cjs')).toEqual([]);
    expect(names('exports.handle = 1;', 'h.mjs')).toEqual([]);
    expect(names('exports.handle = 1;\nexport function other() {}', 'h.js')).toEqual(['handle', 'other']);
  });
});

describe('resolveHandlerTarget', () => {
  const inArchive = (...paths: string[]) => (p: string) => paths.includes(p);

  it('follows the Python loaders: module name, .py stripped, directory kept for the path', () => {
    expect(resolveHandlerTarget('handler:handle', 'python', inArchive('handler.py')).found).toBe('handler.py');
    expect(resolveHandlerTarget('handler.py', 'python3', inArchive('handler.py')).found).toBe('handler.py');
    expect(resolveHandlerTarget('pkg.mod:fn', 'python', inArchive('pkg/mod.py'))).toMatchObject({ found: 'pkg/mod.py', functionName: 'fn' });
    expect(resolveHandlerTarget('svc/h:fn', 'python', inArchive('svc/h.py')).found).toBe('svc/h.py');
    expect(resolveHandlerTarget('/abs/path/fn_mod:infer', 'python', inArchive('fn_mod.py')).found).toBe('fn_mod.py');
    expect(resolveHandlerTarget('h', 'python', inArchive()).found).toBeUndefined();
  });

  it('treats TorchServe built-in handler names as built in unless the archive has such a module', () => {
    expect(resolveHandlerTarget('image_classifier', 'python', inArchive()).builtin).toBe(true);
    expect(resolveHandlerTarget('base_handler', 'python', inArchive('base_handler.py')).builtin).toBe(false);
  });

  it('follows the node runtime: extension optional, function after the last colon, built-ins', () => {
    expect(resolveHandlerTarget('handler', 'node', inArchive('handler.js'))).toMatchObject({ found: 'handler.js', language: 'node' });
    expect(resolveHandlerTarget('lib/h.cjs:run', 'node', inArchive('lib/h.cjs'))).toMatchObject({ found: 'lib/h.cjs', functionName: 'run' });
    expect(resolveHandlerTarget('onnx', 'node', inArchive()).builtin).toBe(true);
    expect(resolveHandlerTarget('../escape', 'node', inArchive()).candidates).toEqual([]);
  });

  it('does not resolve native LSP handlers', () => {
    expect(resolveHandlerTarget('handler', 'LSP', inArchive())).toMatchObject({ language: 'native', candidates: [] });
  });
});
