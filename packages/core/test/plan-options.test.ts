import { realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHandler } from '../src/builder/plan/handler-spec.js';
import { planArchive, type BuildOptions } from '../src/index.js';
import { codeOf, errorOf, makeTempDir, writeTree } from './plan-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  dir = await realpath(dir);
  await writeTree(dir, { 'svc.mjs': 'export const handle = () => [];', 'pysvc.py': 'def handle(d, c): return d', 'model.pt': 'w' });
});
afterEach(async () => cleanup());

const base = (extra: Partial<BuildOptions> = {}): BuildOptions => ({ modelName: 'm', handler: 'pysvc:handle', cwd: dir, env: {}, ...extra });

describe('planArchive option validation', () => {
  it('refuses bad model names and versions with their codes', async () => {
    expect(await codeOf(planArchive(base({ modelName: 'bad/name' })))).toBe('MODEL_NAME_INVALID');
    expect(await codeOf(planArchive(base({ modelName: '-bad' })))).toBe('MODEL_NAME_INVALID');
    expect(await codeOf(planArchive(base({ version: '1/2' })))).toBe('MODEL_VERSION_INVALID');
    expect(await codeOf(planArchive(base({ version: '' })))).toBe('MODEL_VERSION_INVALID');
  });

  it('refuses unknown formats, compression modes, levels outside 1-9 and an empty handler', async () => {
    expect(await codeOf(planArchive(base({ archiveFormat: 'rar' as never })))).toBe('INVALID_OPTION');
    expect(await codeOf(planArchive(base({ compression: 'zstd' as never })))).toBe('INVALID_OPTION');
    for (const level of [0, 10, 2.5]) {
      expect(await errorOf(planArchive(base({ compressionLevel: level })))).toMatchObject({ code: 'INVALID_OPTION', details: { option: 'compressionLevel' } });
    }
    expect(await codeOf(planArchive(base({ handler: '  ' })))).toBe('INVALID_OPTION');
  });

  it('derives the output path from the format and defaults the export path to cwd', async () => {
    const suffixes = { default: '.mar', 'zip-store': '.mar', tgz: '.tar.gz', 'no-archive': '' } as const;
    for (const [format, suffix] of Object.entries(suffixes)) {
      const plan = await planArchive(base({ version: '1', archiveFormat: format as keyof typeof suffixes }));
      expect(plan.outputPath).toBe(path.join(dir, `m${suffix}`));
      expect(plan.exportPath).toBe(dir);
    }
    const plan = await planArchive(base({ exportPath: 'does/not/exist/yet' }));
    expect(plan.outputPath).toBe(path.join(dir, 'does/not/exist/yet/m.mar'));
    expect(plan).toMatchObject({ compression: 'auto', compressionLevel: 6, force: false, format: 'default' });
  });

  it('refuses an export path that is a file with INPUT_NOT_DIRECTORY', async () => {
    expect(await errorOf(planArchive(base({ exportPath: 'model.pt' })))).toMatchObject({
      code: 'INPUT_NOT_DIRECTORY',
      details: { path: path.join(dir, 'model.pt') },
    });
  });

  it('refuses a runtime that does not fit the flavour', async () => {
    expect(await codeOf(planArchive(base({ flavour: 'mms', runtime: 'LSP' })))).toBe('INVALID_OPTION');
    expect(await codeOf(planArchive(base({ flavour: 'torchserve', version: '1', runtime: 'python2' })))).toBe('INVALID_OPTION');
    expect(await codeOf(planArchive(base({ flavour: 'node', handler: 'onnx', runtime: 'python' })))).toBe('INVALID_OPTION');
    expect(await codeOf(planArchive(base({ flavour: 'legacy-mms' as never })))).toBe('INVALID_OPTION');
  });
});

describe('planArchive flavour inference', () => {
  const cases: [string, Partial<BuildOptions>, string, string][] = [
    ['an explicit flavour', { flavour: 'torchserve', version: '1' }, 'torchserve', 'python'],
    ['runtime node', { runtime: 'node', handler: 'onnx' }, 'node', 'node'],
    ['the built-in onnx handler', { handler: 'onnx' }, 'node', 'node'],
    ['a handler resolving to svc.mjs', { handler: 'svc:handle' }, 'node', 'node'],
    ['a handler naming svc.mjs', { handler: 'svc.mjs' }, 'node', 'node'],
    ['modelPath', { modelPath: '.', handler: 'pysvc:handle' }, 'mms', 'python'],
    ['serializedFile', { serializedFile: 'model.pt', version: '1' }, 'torchserve', 'python'],
    ['extraFiles', { extraFiles: ['model.pt'], version: '1' }, 'torchserve', 'python'],
    ['version', { version: '1' }, 'torchserve', 'python'],
    ['zip-store', { archiveFormat: 'zip-store', version: '1' }, 'torchserve', 'python'],
    ['runtime LSP', { runtime: 'LSP', version: '1', handler: 'BaseHandler' }, 'torchserve', 'LSP'],
    ['nothing specific', { handler: 'pysvc:handle' }, 'mms', 'python'],
    ['runtime python3 with a python handler', { handler: 'pysvc', runtime: 'python3' }, 'mms', 'python3'],
  ];
  it.each(cases)('picks the flavour for %s', async (_label, extra, flavour, runtime) => {
    const plan = await planArchive(base(extra));
    expect(plan.flavour).toBe(flavour);
    expect(plan.runtime).toBe(runtime);
    expect(plan.flavourReason.length).toBeGreaterThan(0);
  });

  it('prefers the python module when the runtime is python', async () => {
    await writeFile(path.join(dir, 'pysvc.mjs'), '');
    const plan = await planArchive(base({ handler: 'pysvc:handle', runtime: 'python' }));
    expect(plan.flavour).toBe('mms');
    expect(plan.files.map((f) => f.archivePath)).toEqual(['pysvc.py']);
  });
});

describe('planArchive handlers of the used-by line', () => {
  it('--model-name x --handler svc:handle --export-path out packs svc.mjs for node', async () => {
    const plan = await planArchive({ modelName: 'x', handler: 'svc:handle', exportPath: 'out', cwd: dir, env: {} });
    expect(plan.flavour).toBe('node');
    expect(plan.manifestHandler).toBe('svc.mjs:handle');
    expect(plan.files).toMatchObject([{ archivePath: 'svc.mjs', sourcePath: path.join(dir, 'svc.mjs') }]);
    expect(plan.outputPath).toBe(path.join(dir, 'out', 'x.mar'));
  });

  it('--handler pysvc:handle packs pysvc.py for python (mms flavour)', async () => {
    const plan = await planArchive({ modelName: 'x', handler: 'pysvc:handle', exportPath: 'out', cwd: dir, env: {} });
    expect(plan.flavour).toBe('mms');
    expect(plan.manifestHandler).toBe('pysvc:handle');
    expect(plan.files.map((f) => f.archivePath)).toEqual(['pysvc.py']);
  });

  it('keeps a nested node module path and its function in the manifest', async () => {
    await writeTree(dir, { 'lib/svc.js': 'x' });
    const plan = await planArchive(base({ handler: 'lib/svc:handle' }));
    expect(plan.manifestHandler).toBe('lib/svc.js:handle');
    expect(plan.files.map((f) => f.archivePath)).toEqual(['lib/svc.js']);
  });

  it('copies nothing for node built-ins and refuses a missing node module with HANDLER_NOT_FOUND', async () => {
    const builtin = await planArchive(base({ flavour: 'node', handler: 'image_classifier' }));
    expect(builtin.files).toEqual([]);
    expect(builtin.manifestHandler).toBe('image_classifier');
    expect(await codeOf(planArchive(base({ flavour: 'node', handler: 'nope:handle' })))).toBe('HANDLER_NOT_FOUND');
  });

  it('refuses an mms handler whose file is missing when there is no modelPath (the archive would hold no code)', async () => {
    const error = await errorOf(planArchive(base({ handler: 'nope:handle' })));
    expect(error.code).toBe('HANDLER_NOT_FOUND');
    const tried = (error.details.tried as string[]).map((p) => path.basename(p));
    expect(tried).toEqual(['nope.mjs', 'nope.js', 'nope.cjs', 'nope.py']);
  });
});

describe('parseHandler', () => {
  it.each([
    ['h', { filePart: 'h' }],
    ['h:fn', { filePart: 'h', fn: 'fn' }],
    ['dir/h.py:fn', { filePart: 'dir/h.py', fn: 'fn' }],
    ['C:\\models\\h.py', { filePart: 'C:\\models\\h.py' }],
    ['C:\\models\\h.py:infer', { filePart: 'C:\\models\\h.py', fn: 'infer' }],
    ['C:/models/h', { filePart: 'C:/models/h' }],
    ['D:\\x\\svc.mjs:handle', { filePart: 'D:\\x\\svc.mjs', fn: 'handle' }],
  ])('splits %s', (raw, expected) => {
    expect(parseHandler(raw)).toEqual({ raw, ...expected });
  });
});

describe('planArchive timestamps', () => {
  it('defaults to 1980-01-01T00:00:00Z for reproducible builds', async () => {
    expect((await planArchive(base())).timestamp.toISOString()).toBe('1980-01-01T00:00:00.000Z');
  });

  it('uses SOURCE_DATE_EPOCH, and options.timestamp over it', async () => {
    const fromEnv = await planArchive(base({ env: { SOURCE_DATE_EPOCH: '1700000000' } }));
    expect(fromEnv.timestamp.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    const explicit = await planArchive(base({ env: { SOURCE_DATE_EPOCH: '1700000000' }, timestamp: new Date('2024-01-02T03:04:05Z') }));
    expect(explicit.timestamp.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  });

  it('refuses a malformed SOURCE_DATE_EPOCH and an invalid Date', async () => {
    for (const value of ['abc', '-5', '1.5', '1e9']) {
      expect(await errorOf(planArchive(base({ env: { SOURCE_DATE_EPOCH: value } })))).toMatchObject({
        code: 'INVALID_OPTION',
        details: { option: 'SOURCE_DATE_EPOCH' },
      });
    }
    expect(await codeOf(planArchive(base({ timestamp: new Date('nope') })))).toBe('INVALID_OPTION');
  });

  it('clamps dates before 1980 with a warning', async () => {
    const plan = await planArchive(base({ handler: 'pysvc', timestamp: new Date('1975-01-01T00:00:00Z') }));
    const unclamped = await planArchive(base({ handler: 'pysvc', timestamp: new Date('1980-01-01T00:00:02Z') }));
    expect(unclamped.warnings).toEqual([]);
    expect(plan.timestamp.toISOString()).toBe('1980-01-01T00:00:00.000Z');
    expect(plan.warnings.length).toBe(1);
    const epoch = await planArchive(base({ env: { SOURCE_DATE_EPOCH: '0' } }));
    expect(epoch.timestamp.toISOString()).toBe('1980-01-01T00:00:00.000Z');
  });
});
