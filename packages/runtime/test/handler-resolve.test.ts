import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseHandlerString as coreParseHandlerString } from '@model-archiver/core/read';
import { loadModel, moduleCandidates, parseHandlerString } from '@model-archiver/runtime';

import { tempArea, writeModelArchive, type ModelFolderSpec, type TempArea } from './helpers.js';

let area: TempArea;
let counter = 0;
beforeEach(async () => {
  area = await tempArea();
});
afterEach(async () => {
  await area.cleanup();
});

const load = async (spec: ModelFolderSpec) => {
  counter += 1;
  const dir = await writeModelArchive(path.join(area.root, `${`model-${counter}`}.mar`), spec);
  return loadModel(dir, { cacheDir: area.cacheDir, allowUnverified: true, batchSize: 4 });
};

const run = async (spec: ModelFolderSpec, body: unknown = 'x') => {
  const model = await load(spec);
  try {
    return await model.handle([{ body, contentType: 'text/plain' }]);
  } finally {
    await model.close();
  }
};

describe('handler strings', () => {
  it('splits module and function, but not at a drive letter', () => {
    expect(parseHandlerString('lib/svc.mjs:infer')).toEqual({ module: 'lib/svc.mjs', function: 'infer' });
    expect(parseHandlerString('svc')).toEqual({ module: 'svc' });
    expect(parseHandlerString('C:\\models\\svc.mjs')).toEqual({ module: 'C:\\models\\svc.mjs' });
    expect(parseHandlerString('C:\\models\\svc.mjs:run')).toEqual({ module: 'C:\\models\\svc.mjs', function: 'run' });
  });

  it('tries .mjs, .js and .cjs for a module named without an extension, with any separator', () => {
    expect(moduleCandidates('lib\\deep\\svc')).toEqual(['lib/deep/svc.mjs', 'lib/deep/svc.js', 'lib/deep/svc.cjs']);
    expect(moduleCandidates('./svc.cjs')).toEqual(['svc.cjs']);
    expect(moduleCandidates('/abs/path/fn_mod')).toEqual(['fn_mod.mjs', 'fn_mod.js', 'fn_mod.cjs']);
    expect(moduleCandidates('../escape')).toEqual([]);
  });
});

describe('"C:x" (module C, function x, as the builder and the linter read it)', () => {
  it('is parsed by core\'s one parser', () => {
    expect(parseHandlerString('C:x')).toEqual({ module: 'C', function: 'x' });
    expect(parseHandlerString).toBe(coreParseHandlerString);
  });

  it('runs function x of module C.mjs', async () => {
    const [response] = await run({ handler: 'C:x', files: { 'C.mjs': 'export const x = (batch) => batch.map(() => "from x");' } });
    expect(response).toMatchObject({ body: 'from x', status: 200 });
  });
});

describe('handler forms', () => {
  it('runs a module function named handle when no function is given', async () => {
    const [response] = await run({ handler: 'svc', files: { 'svc.mjs': 'export const handle = (batch) => batch.map((r) => `echo ${r.body}`);' } });
    expect(response).toMatchObject({ body: 'echo x', status: 200 });
  });

  it('runs a named function in a nested folder and calls the exported initialize with the context', async () => {
    const source = `
      let props;
      export function initialize(context) { props = { ...context.systemProperties, name: context.modelName, manifest: context.manifest.model.handler }; }
      export function infer(batch) { return batch.map(() => props); }`;
    const [response] = await run({ handler: 'lib/deep/svc:infer', files: { 'lib/deep/svc.mjs': source } });
    expect(response?.body).toMatchObject({ batch_size: 4, gpu_id: null, server_name: 'model-archiver', name: 'test-model', manifest: 'lib/deep/svc:infer' });
    expect(typeof (response?.body as { model_dir: string }).model_dir).toBe('string');
  });

  it('loads a CommonJS handler', async () => {
    const [response] = await run({ handler: 'svc.cjs:handle', files: { 'svc.cjs': 'module.exports.handle = (batch) => batch.map(() => ({ cjs: true }));' } });
    expect(response?.body).toEqual({ cjs: true });
  });

  it('instantiates the default export class, calls initialize once and handle per batch', async () => {
    const source = `
      export default class Handler {
        calls = 0;
        initialize(context) { this.name = context.modelName; }
        handle(batch, context) { this.calls += 1; return batch.map(() => ({ name: this.name, calls: this.calls, size: context.batchSize })); }
      }`;
    const model = await load({ handler: 'svc.mjs', files: { 'svc.mjs': source } });
    await model.handle([{ body: 'a' }]);
    const responses = await model.handle([{ body: 'a' }, { body: 'b' }]);
    await model.close();
    expect(responses.map((r) => r.body)).toEqual([
      { name: 'test-model', calls: 2, size: 2 },
      { name: 'test-model', calls: 2, size: 2 },
    ]);
  });

  it('uses the only exported class of a module', async () => {
    const source = `export class Only { handle(batch) { return batch.map(() => 'only'); } }`;
    const [response] = await run({ handler: 'svc', files: { 'svc.mjs': source } });
    expect(response?.body).toBe('only');
  });

  it('chains preprocess, inference and postprocess', async () => {
    const source = `
      export default class Steps {
        preprocess(batch) { return batch.map((r) => Number(r.body)); }
        inference(values) { return values.map((v) => v * 2); }
        postprocess(values) { return values.map((v) => ({ doubled: v })); }
      }`;
    const [response] = await run({ handler: 'steps', files: { 'steps.mjs': source } }, '21');
    expect(response?.body).toEqual({ doubled: 42 });
  });

  it('resolves a built-in name when the archive has no module of that name', async () => {
    const model = await load({ handler: 'onnx', files: {} }).catch((error: unknown) => error);
    // The built-in onnx handler is found; it fails only because this archive has no model.
    expect(model).toMatchObject({ code: 'MODEL_LOAD_FAILED' });
  });
});

describe('handler failures', () => {
  it('reports a missing module', async () => {
    await expect(load({ handler: 'nowhere:handle', files: {} })).rejects.toMatchObject({
      code: 'HANDLER_MODULE_NOT_FOUND',
      details: { tried: ['nowhere.mjs', 'nowhere.js', 'nowhere.cjs'] },
    });
  });

  it('reports a missing function with the module exports', async () => {
    const files = { 'svc.mjs': 'export const handle = () => []; export class Helper {}' };
    await expect(load({ handler: 'svc:wrong', files })).rejects.toMatchObject({
      code: 'HANDLER_FUNCTION_NOT_FOUND',
      details: { module: 'svc.mjs', function: 'wrong', exports: ['Helper', 'handle'] },
    });
  });

  it('reports an import failure with the module path, the error and its stack', async () => {
    const files = { 'lib/broken.mjs': 'import "./missing-dependency.mjs";\nexport const handle = () => [];' };
    const error = await load({ handler: 'lib/broken:handle', files }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HANDLER_IMPORT_FAILED', details: { module: 'lib/broken.mjs' } });
    expect((error as { details: { stack?: string } }).details.stack).toEqual(expect.any(String));
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('reports a module whose top level throws as an import failure', async () => {
    const files = { 'svc.mjs': 'throw new RangeError("top-level boom");' };
    await expect(load({ handler: 'svc', files })).rejects.toMatchObject({ code: 'HANDLER_IMPORT_FAILED', details: { error: 'RangeError: top-level boom' } });
  });

  it('reports a throwing initialize', async () => {
    const files = { 'svc.mjs': 'export default class H { initialize() { throw new Error("boom in initialize"); } handle() { return []; } }' };
    await expect(load({ handler: 'svc', files })).rejects.toMatchObject({
      code: 'HANDLER_INIT_FAILED',
      details: { error: 'Error: boom in initialize' },
    });
  });

  it('refuses a module with several classes and no default export', async () => {
    const files = { 'svc.mjs': 'export class A {} export class B {}' };
    await expect(load({ handler: 'svc', files })).rejects.toMatchObject({ code: 'HANDLER_INVALID', details: { classes: ['A', 'B'] } });
  });

  it('refuses a class with neither handle nor steps', async () => {
    const files = { 'svc.mjs': 'export default class H { initialize() {} }' };
    await expect(load({ handler: 'svc', files })).rejects.toMatchObject({ code: 'HANDLER_INVALID' });
  });

  it('refuses a Python handler', async () => {
    await expect(load({ handler: 'svc.py:handle', files: { 'svc.py': 'def handle(d, c): return d' } })).rejects.toMatchObject({
      code: 'HANDLER_INVALID',
    });
  });

  it('reports a handler that throws while handling', async () => {
    const files = { 'svc.mjs': 'export const handle = () => { throw new TypeError("bad batch"); };' };
    await expect(run({ handler: 'svc', files })).rejects.toMatchObject({ code: 'HANDLER_FAILED', details: { error: 'TypeError: bad batch' } });
  });

  it('keeps the code of an error the handler marks as INPUT_INVALID', async () => {
    const files = { 'svc.mjs': 'export const handle = () => { throw Object.assign(new Error("no"), { code: "INPUT_INVALID" }); };' };
    await expect(run({ handler: 'svc', files })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('reports a wrong number of results with both counts', async () => {
    const files = { 'svc.mjs': 'export const handle = (batch) => [...batch, "extra"];' };
    const model = await load({ handler: 'svc', files });
    await expect(model.handle([{ body: 'a' }, { body: 'b' }])).rejects.toMatchObject({
      code: 'BATCH_SIZE_MISMATCH',
      details: { expected: 2, actual: 3 },
    });
    await model.close();
  });

  it('reports a handler that returns something other than a list', async () => {
    const files = { 'svc.mjs': 'export const handle = () => "not a list";' };
    await expect(run({ handler: 'svc', files })).rejects.toMatchObject({ code: 'BATCH_SIZE_MISMATCH', details: { expected: 1 } });
  });
});
