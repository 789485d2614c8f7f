import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadModel } from '../src/index.js';
import type { LoadedModel, LoadOptions } from '../src/index.js';
import type { PythonModel } from '../src/python/python-model.js';
import { PythonWorker } from '../src/python/python-worker.js';
import { tempArea } from './helpers.js';
import type { TempArea } from './helpers.js';
import { pythonWithNumpy } from '../../../fixtures/python/python-interpreter.mjs';
import { buildPythonArchive } from './python-helpers.js';

const EXAMPLE = new URL('../../../examples/python-classifier/', import.meta.url);

/** MMS-style function handler: reports what the reference loaders pass (init and per batch). */
const FUNCTION_HANDLER = `
import json, os
print("printed at import")                      # must not reach the frame channel
os.write(1, b"written to fd 1 at import\\n")      # nor must C-level writes to fd 1
_seen = {}

def handle(data, context):
    if data is None:
        _seen["init"] = {"props": context.system_properties, "manifest": context.manifest, "name": context.model_name}
        return None
    print("handling", len(data))
    out = []
    for i, item in enumerate(data):
        body = item.get("body")
        out.append({
            "init": _seen["init"],
            "keys": sorted(item.keys()),
            "type": type(body).__name__,
            "body": body.decode("latin-1") if isinstance(body, bytes) else body,
            "header": context.get_request_header(i, "x-test"),
            "bodyType": context.get_request_header(i, "body"),
            "requestId": context.get_request_id(i),
            "batch": len(data),
        })
    return out

def infer(data, context):
    if data is None:
        return None
    return ["infer:" + str(len(data)) for _ in data]
`;

/** TorchServe-style class handler: initialize/handle, response status and content type per item. */
const CLASS_HANDLER = `
class EchoHandler:
    def __init__(self):
        self.props = None

    def initialize(self, context):
        self.props = dict(context.system_properties)

    def handle(self, data, context):
        out = []
        for i, item in enumerate(data):
            body = item.get("data") or item.get("body")
            if body == b"teapot":
                context.set_response_status(418, "I'm a teapot", i)
            if body == b"raw":
                context.set_response_content_type(i, "application/x-raw")
                out.append(b"\\x00\\x01\\x02")
                continue
            out.append({"props": self.props, "len": len(body)})
        return out
`;

const PIPELINE_HANDLER = `
class Steps:
    def preprocess(self, data):
        return [len(item["body"]) for item in data]
    def inference(self, lengths):
        return [n * 2 for n in lengths]
    def postprocess(self, doubled):
        return [{"doubled": n} for n in doubled]
`;

const FAILING = {
  'import_error.py': 'import os\nundefined_name_at_import()\n',
  'missing_dep.py': 'import surely_not_installed_module_xyz\n',
  'init_error.py': 'class H:\n    def initialize(self, context):\n        raise RuntimeError("weights are missing")\n    def handle(self, data, context):\n        return data\n',
  'two_classes.py': 'class A:\n    pass\nclass B:\n    pass\n',
  'raises.py': 'def handle(data, context):\n    if data is None:\n        return None\n    raise ValueError("bad input")\n',
  'short.py': 'def handle(data, context):\n    if data is None:\n        return None\n    return data[1:]\n',
  'prediction_exception.py':
    'class PredictionException(Exception):\n    def __init__(self, message, error_code=500):\n        self.message = message\n        self.error_code = error_code\n        super().__init__(message)\n\ndef handle(data, context):\n    if data is None:\n        return None\n    raise PredictionException("no faces found", 422)\n',
  'not_json.py': 'def handle(data, context):\n    if data is None:\n        return None\n    return [object() for _ in data]\n',
  'exits.py': 'import os\ndef handle(data, context):\n    if data is None:\n        return None\n    os._exit(5)\n',
};

describe('Python handlers (loadModel)', () => {
  let area: TempArea;
  let python: string;
  const archives: Record<string, string> = {};
  const open: LoadedModel[] = [];

  const load = async (archive: string, options: LoadOptions = {}): Promise<LoadedModel> => {
    const model = await loadModel(archive, { cacheDir: area.cacheDir, python, ...options });
    open.push(model);
    return model;
  };

  beforeAll(async () => {
    python = pythonWithNumpy();
    area = await tempArea();
    archives['fn'] = await buildPythonArchive(area.root, 'fn', 'svc:handle', { 'svc.py': FUNCTION_HANDLER });
    archives['fnInfer'] = await buildPythonArchive(area.root, 'fn-infer', 'svc:infer', { 'svc.py': FUNCTION_HANDLER });
    archives['cls'] = await buildPythonArchive(area.root, 'cls', 'echo_handler.py', { 'echo_handler.py': CLASS_HANDLER }, 'torchserve');
    archives['misspelt'] = await buildPythonArchive(area.root, 'misspelt', 'echo_handler:nonexistent', { 'echo_handler.py': CLASS_HANDLER });
    archives['steps'] = await buildPythonArchive(area.root, 'steps', 'steps', { 'steps.py': PIPELINE_HANDLER, 'requirements.txt': 'numpy\n' });
    for (const [file, source] of Object.entries(FAILING)) {
      const module = file.replace(/\.py$/, '');
      archives[module] = await buildPythonArchive(area.root, module.replaceAll('_', '-'), module, { [file]: source });
    }
  });
  afterAll(async () => {
    await Promise.all(open.map((model) => model.close()));
    await area.cleanup();
  });

  describe('resolution and context, as the reference loaders', () => {
    it('calls a module-level handle(None, context) at load, then with the request list; print() does not disturb the channel', async () => {
      const model = await load(archives['fn']!, { batchSize: 4 });
      const [json, text, bytes] = await model.handle([
        { body: { a: 1 }, contentType: 'application/json', headers: { 'X-Test': 'yes' }, requestId: 'r1' },
        { body: 'hello', contentType: 'text/plain' },
        { body: Buffer.from([0xff, 0x00, 0x41]), contentType: 'application/octet-stream' },
      ]);
      const first = json!.body as Record<string, any>;
      expect(first['init']).toMatchObject({
        props: { model_dir: model.modelDir, gpu_id: null, batch_size: 4, server_name: 'MMS' },
        manifest: { runtime: 'python', model: { modelName: 'fn', handler: 'svc:handle' } },
        name: 'fn',
      });
      expect(first['init'].props).not.toHaveProperty('limit_max_image_pixels');
      expect(first).toMatchObject({ keys: ['body'], type: 'dict', body: { a: 1 }, header: 'yes', bodyType: { 'content-type': 'application/json' }, requestId: 'r1', batch: 3 });
      expect(text!.body).toMatchObject({ type: 'str', body: 'hello' });
      expect(bytes!.body).toMatchObject({ type: 'bytes', body: '\u00ff\u0000A' });
      expect(json!.contentType).toBe('application/json');
    });

    it('uses the function named after the colon', async () => {
      const model = await load(archives['fnInfer']!);
      const answers = await model.handle([{ body: 'a' }, { body: 'b' }]);
      expect(answers.map((a) => a.body)).toEqual(['infer:2', 'infer:2']);
      expect(answers[0]!.contentType).toMatch(/^text\/plain/);
    });

    it('uses the handler load option (the handler register parameter) instead of the manifest\'s', async () => {
      const model = await load(archives['fn']!, { handler: 'svc:infer' });
      const [answer] = await model.handle([{ body: 'a' }]);
      expect(answer!.body).toBe('infer:1');
    });

    it('instantiates the only class of a TorchServe-style module, initialises it, and honours per-item status and content type', async () => {
      const model = await load(archives['cls']!);
      expect(model.version).toBe('2.0');
      const [plain, teapot, raw] = await model.handle([{ body: Buffer.from('abcd') }, { body: Buffer.from('teapot') }, { body: Buffer.from('raw') }]);
      expect(plain!.body).toMatchObject({ props: { server_name: 'MMS', limit_max_image_pixels: true, batch_size: 1 }, len: 4 });
      expect(teapot!.status).toBe(418);
      expect(raw).toMatchObject({ status: 200, contentType: 'application/x-raw', body: Buffer.from([0, 1, 2]) });
    });

    it('falls back to the only class when the named function does not exist (the reference behaviour)', async () => {
      const model = await load(archives['misspelt']!);
      const [answer] = await model.handle([{ body: Buffer.from('xy') }]);
      expect(answer!.body).toMatchObject({ len: 2 });
    });

    it('runs preprocess -> inference -> postprocess for a class without handle, and reports requirements.txt without installing it', async () => {
      const warnings: string[] = [];
      const model = await load(archives['steps']!, { onWarning: (w) => warnings.push(w) });
      const answers = await model.handle([{ body: Buffer.from('abc') }, { body: Buffer.from('a') }]);
      expect(answers.map((a) => a.body)).toEqual([{ doubled: 6 }, { doubled: 2 }]);
      expect(warnings.some((w) => w.includes('requirements.txt'))).toBe(true);
    });

    it('gives a handler\'s print() lines to onPythonOutput', async () => {
      const lines: string[] = [];
      const model = await load(archives['fn']!, { onPythonOutput: (line) => lines.push(line) });
      await model.handle([{ body: 'x' }]);
      // stderr is another pipe than the frames: the last line may arrive after the answer.
      for (let waited = 0; !lines.includes('handling 1') && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines).toEqual(expect.arrayContaining(['printed at import', 'written to fd 1 at import', 'handling 1']));
    });

    it('keeps a JavaScript handler of an MMS archive (runtime python) on Node', async () => {
      const archive = await buildPythonArchive(area.root, 'js-in-mms', 'svc:handle', {
        'svc.mjs': 'export function handle(batch) { return batch.map(() => ({ node: process.version })); }\n',
        'svc.py': 'def handle(data, context):\n    return None if data is None else [{"python": True} for _ in data]\n',
      });
      const model = await load(archive);
      const [answer] = await model.handle([{ body: 'x' }]);
      expect(answer!.body).toEqual({ node: process.version });
    });

    it('runs the example service: a numpy softmax classifier with .npy weights answering the top 5', async () => {
      const files: Record<string, Buffer> = {};
      for (const file of ['model_service.py', 'weights.npy', 'synset.txt']) files[file] = await readFile(new URL(file, EXAMPLE));
      const archive = await buildPythonArchive(area.root, 'colours', 'model_service:handle', files);
      const model = await load(archive);
      const [answer] = await model.handle([{ body: await readFile(new URL('orange.png', EXAMPLE)), contentType: 'image/png' }]);
      const top5 = answer!.body as { probability: number; class: string }[];
      expect(top5).toHaveLength(5);
      expect(top5[0]!.class).toBe('orange');
      expect(top5[0]!.probability).toBeGreaterThan(0.9);
      for (let i = 1; i < 5; i += 1) expect(top5[i]!.probability).toBeLessThanOrEqual(top5[i - 1]!.probability);
    });
  });

  describe('failures are coded, with the Python cause in full', () => {
    it('HANDLER_IMPORT_FAILED with the traceback when the module raises at import', async () => {
      const error = await load(archives['import_error']!).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HANDLER_IMPORT_FAILED' });
      const traceback = String((error as { details: { traceback?: unknown } }).details.traceback);
      expect(traceback).toContain('Traceback (most recent call last)');
      expect(traceback).toContain('import_error.py');
      expect(traceback).toContain('NameError');
    });

    it('HANDLER_IMPORT_FAILED naming the missing dependency', async () => {
      const error = await load(archives['missing_dep']!).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HANDLER_IMPORT_FAILED' });
      expect(String((error as { details: { traceback?: unknown } }).details.traceback)).toContain('surely_not_installed_module_xyz');
    });

    it('HANDLER_INIT_FAILED with the traceback when initialize raises (MMS would report the model loaded)', async () => {
      const error = await load(archives['init_error']!).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HANDLER_INIT_FAILED' });
      expect(String((error as { details: { traceback?: unknown } }).details.traceback)).toContain('weights are missing');
    });

    it('HANDLER_INVALID for a module with two classes and no handle', async () => {
      await expect(load(archives['two_classes']!)).rejects.toMatchObject({ code: 'HANDLER_INVALID' });
    });

    it('HANDLER_FAILED when the handler raises; the worker keeps serving', async () => {
      const model = await load(archives['raises']!);
      const error = await model.handle([{ body: 'x' }]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HANDLER_FAILED', details: { traceback: expect.stringContaining('ValueError: bad input') } });
      await expect(model.handle([{ body: 'y' }])).rejects.toMatchObject({ code: 'HANDLER_FAILED' });
    });

    it('BATCH_SIZE_MISMATCH when the handler returns the wrong number of answers', async () => {
      const model = await load(archives['short']!);
      await expect(model.handle([{ body: 'a' }, { body: 'b' }])).rejects.toMatchObject({ code: 'BATCH_SIZE_MISMATCH' });
    });

    it("answers a PredictionException's status and message, as the reference servers do", async () => {
      const model = await load(archives['prediction_exception']!);
      const [answer] = await model.handle([{ body: 'x' }]);
      expect(answer).toMatchObject({ status: 422, body: { code: 422, message: 'no faces found' } });
    });

    it('HANDLER_FAILED for an answer that is neither bytes, text nor JSON-able', async () => {
      const model = await load(archives['not_json']!);
      await expect(model.handle([{ body: 'x' }])).rejects.toMatchObject({ code: 'HANDLER_FAILED' });
    });

    it('WORKER_DIED when the Python process exits during a batch', async () => {
      const model = await load(archives['exits']!);
      await expect(model.handle([{ body: 'x' }])).rejects.toMatchObject({ code: 'WORKER_DIED' });
      expect((model as PythonModel).worker.alive).toBe(false);
    });

    it('PYTHON_NOT_FOUND naming the fix when the interpreter does not exist', async () => {
      const missing = path.join(area.root, 'no-such-python3');
      await expect(load(archives['fn']!, { python: missing })).rejects.toMatchObject({ code: 'PYTHON_NOT_FOUND', details: { python: missing, source: '--python' } });
    });

    it('HANDLER_MODULE_NOT_FOUND when the handler module is not importable (no TorchServe built-ins here)', async () => {
      const model = await load(archives['fn']!);
      const target = { modelDir: model.modelDir, manifest: model.manifest, name: 'x', version: '1.0', handler: 'image_classifier', module: 'image_classifier', flavour: 'torchserve' as const, modelConfig: {} };
      await expect(PythonWorker.start({ target, python, batchSize: 1, serverVersion: '0' })).rejects.toMatchObject({ code: 'HANDLER_MODULE_NOT_FOUND' });
    });

    it('PYTHON_NOT_FOUND when the interpreter is older than 3.9 (the worker\'s version check exits 3)', async () => {
      const old = path.join(area.root, 'python3.8');
      await writeFile(old, '#!/bin/sh\necho "model_archiver_worker needs Python >= 3.9; this is 3.8 (/usr/bin/python3.8)" >&2\nexit 3\n', { mode: 0o755 });
      await expect(load(archives['fn']!, { python: old })).rejects.toMatchObject({ code: 'PYTHON_NOT_FOUND' });
    });
  });
});
