/**
 * Archives and models made in code for the inspect / verify / sign / lint tests: tiny ONNX models (onnx-proto),
 * zips with arbitrary entries (the project's ZipWriter, so CRCs are right), a hand-made zip whose stored entries use
 * data descriptors, and node-flavour archives built with buildArchive.
 */
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';

import onnxProto from 'onnx-proto';

import { buildArchive } from '../src/builder/build-archive.js';
import type { BuildOptions, BuildResult } from '../src/builder/build-options.js';
import { openArchive } from '../src/read/open-archive.js';
import { ZipWriter } from '../src/zip/zip-writer.js';

const { onnx } = onnxProto;
const F = onnx.TensorProto.DataType.FLOAT;

const valueInfo = (name: string, dims: Array<number | string>) => ({
  name,
  type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
});

/** Options of {@link tinyModel}. */
export interface TinyModelOptions {
  /** Also list the initializer W as a graph input and import the com.microsoft domain, as old exporters do. */
  oldExporter?: boolean;
}

/** x [N,4] -> MatMul W -> Add b -> Softmax -> probs [N,3], at the given default-domain opset. */
export function tinyModel(opset = 13, options: TinyModelOptions = {}): Uint8Array {
  const old = options.oldExporter === true;
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'model-archiver-test',
      opsetImport: [{ domain: '', version: opset }, ...(old ? [{ domain: 'com.microsoft', version: 1 }] : [])],
      graph: {
        name: 'tiny',
        node: [
          { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
          { opType: 'Add', input: ['xw', 'b'], output: ['logits'] },
          { opType: 'Softmax', input: ['logits'], output: ['probs'] },
        ],
        initializer: [
          { name: 'W', dataType: F, dims: [4, 3], floatData: new Array(12).fill(0.5) },
          { name: 'b', dataType: F, dims: [3], floatData: [0.1, 0.2, 0.3] },
        ],
        input: [valueInfo('x', ['N', 4]), ...(old ? [valueInfo('W', [4, 3])] : [])],
        output: [valueInfo('probs', ['N', 3])],
      },
    }),
  ).finish();
}

/** A temp dir and its cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ma-h6-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** One entry of a zip made by {@link writeZip}. */
export interface ZipEntrySpec {
  name: string;
  data: Uint8Array | string;
  compression?: 'store' | 'deflate';
}

/** Writes a zip with exactly these entries (correct CRCs and sizes) with the project's ZipWriter. */
export async function writeZip(path: string, entries: readonly ZipEntrySpec[]): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'w');
  try {
    const zip = new ZipWriter(handle, path, { date: new Date(Date.UTC(2024, 0, 2)) });
    for (const e of entries) {
      const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
      await zip.addBuffer(e.name, data, { compression: e.compression ?? 'deflate' });
    }
    await zip.finish();
  } finally {
    await handle.close();
  }
  return path;
}

/** A zip whose entries are all STORED with general-purpose bit 3 (sizes and CRC in a data descriptor after the data). */
export async function writeZipWithDataDescriptors(path: string, entries: ReadonlyArray<{ name: string; data: string }>): Promise<string> {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data, 'utf8');
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0008, 6);
    local.writeUInt16LE(0, 8);
    local.writeUInt16LE(0x0021, 12); // 1980-01-01
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(data.length, 8);
    descriptor.writeUInt32LE(data.length, 12);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(0x0314, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0008, 8);
    cd.writeUInt16LE(0x0021, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, data, descriptor);
    central.push(cd, name);
    offset += 30 + name.length + data.length + 16;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  await writeFile(path, Buffer.concat([...parts, cdBytes, end]));
  return path;
}

/** Files of a node-flavour model folder. */
export interface NodeModelFiles {
  /** `handler.mjs` source (default: exports `handle`). */
  handler?: string;
  handlerName?: string;
  /** Extra files (path -> content). */
  extra?: Record<string, Uint8Array | string>;
  /** Add `model.onnx` (tiny model at this opset) as the serialized file. */
  onnxOpset?: number;
}

/** Builds a node-flavour archive (`model.onnx` + `handler.mjs` + extras) with buildArchive. */
export async function buildNodeArchive(dir: string, files: NodeModelFiles = {}, options: Partial<BuildOptions> = {}): Promise<BuildResult> {
  const src = join(dir, 'src');
  await mkdir(src, { recursive: true });
  const handlerName = files.handlerName ?? 'handler.mjs';
  await writeFile(join(src, handlerName), files.handler ?? 'export async function handle(batch) {\n  return batch.map(() => "ok");\n}\n');
  const extraFiles: string[] = [];
  for (const [name, content] of Object.entries(files.extra ?? {})) {
    await mkdir(dirname(join(src, name)), { recursive: true });
    await writeFile(join(src, name), content);
    extraFiles.push(name);
  }
  let serializedFile: string | undefined;
  if (files.onnxOpset !== undefined) {
    serializedFile = 'model.onnx';
    await writeFile(join(src, serializedFile), tinyModel(files.onnxOpset));
  }
  return buildArchive({
    modelName: 'tiny',
    version: '1.0',
    handler: handlerName,
    flavour: 'node',
    exportPath: join(dir, 'out'),
    cwd: src,
    ...(serializedFile === undefined ? {} : { serializedFile }),
    ...(extraFiles.length === 0 ? {} : { extraFiles }),
    ...options,
  });
}

/** Root of the reference archives made by the real MMS and TorchServe archivers (committed copies). */
export const REFERENCE = fileURLToPath(new URL('../../../fixtures/reference-fixture/cases', import.meta.url));

/** Reference archives (zip and tgz) that the tools produced, by case. */
export const REFERENCE_ARCHIVES: readonly string[] = [
  'mms_default/mymodel.mar',
  'mms_empty_dir/empty.mar',
  'mms_runtime_py3/my.model-v_1.mar',
  'mms_tgz/mymodel.tar.gz',
  'ts_default/mymodel.mar',
  'ts_handler_builtin/m-builtin.mar',
  'ts_handler_func/m-func.mar',
  'ts_minimal/minimal.mar',
  'ts_tgz/mymodel.tar.gz',
  'ts_zipstore/mymodel.mar',
];

/** Every file entry of an archive with its bytes, in container order (to rebuild it with changes). */
export async function entriesOf(path: string): Promise<ZipEntrySpec[]> {
  const archive = await openArchive(path);
  try {
    const out: ZipEntrySpec[] = [];
    for (const e of archive.entries) if (e.type === 'file') out.push({ name: e.path, data: await archive.readEntry(e.path) });
    return out;
  } finally {
    await archive.close();
  }
}
