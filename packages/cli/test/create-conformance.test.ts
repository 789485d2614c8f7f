/**
 * The reference archivers' own test suites (anchors §8: MMS and TorchServe `test_model_packaging_utils.py`,
 * integration tests), replayed in-process through `main(argv, io)`.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CliIo } from '../src/io.js';
import { main } from '../src/main.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ma-conformance-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Runs main() in `dir` with --json and returns the exit code and the parsed document. */
async function run(args: readonly string[]): Promise<{ code: number; doc: Record<string, unknown> }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const io: CliIo = { stdout, stderr: new PassThrough(), cwd: dir, env: {}, signal: new AbortController().signal };
  const code = await main([...args, '--json'], io);
  return { code, doc: JSON.parse(out) as Record<string, unknown> };
}

const errorCode = (doc: Record<string, unknown>): unknown => (doc.error as { code?: unknown } | undefined)?.code;
const minimal = (name: string): string[] => [`--model-name=${name}`, '-v', '1.0', '--handler', 'base_handler'];

describe('TestModelNameRegEx (both reference suites)', () => {
  it.each(['my-awesome-model', 'Aa.model', 'a', 'aA.model', 'a1234.model', 'a-A-A.model', '123-abc'])(
    'accepts %s',
    async (name) => {
      const { code, doc } = await run(minimal(name));
      expect(code).toBe(0);
      expect(doc.outputPath).toBe(join(dir, `${name}.mar`));
    },
  );

  it.each(['abc%', '123$abc', 'abc!123', '@123', '(model', 'mdoel)', '12*model-a.model', '##.model', '-.model'])(
    'refuses %s with MODEL_NAME_INVALID (exit 3)',
    async (name) => {
      const { code, doc } = await run(minimal(name));
      expect(code).toBe(3);
      expect(errorCode(doc)).toBe('MODEL_NAME_INVALID');
      expect(await readdir(dir)).toEqual([]);
    },
  );
});

describe('TestArchiveTypes and TestMarExistence', () => {
  it.each([
    ['default', 'm.mar'],
    ['zip-store', 'm.mar'],
    ['tgz', 'm.tar.gz'],
    ['no-archive', 'm'],
  ])('names the %s output %s in the export path (default: cwd)', async (format, name) => {
    const { code, doc } = await run([...minimal('m'), '--archive-format', format]);
    expect(code).toBe(0);
    expect(doc.outputPath).toBe(join(dir, name));
    expect(existsSync(join(dir, name))).toBe(true);
  });

  it.each(['default', 'tgz', 'no-archive'])('refuses an existing %s output without -f and replaces it with -f', async (format) => {
    const args = [...minimal('m'), '--archive-format', format, '--export-path', 'store'];
    expect((await run(args)).code).toBe(0);
    const again = await run(args);
    expect(again.code).toBe(5);
    expect(errorCode(again.doc)).toBe('OUTPUT_EXISTS');
    const forced = await run([...args, '-f']);
    expect(forced.code).toBe(0);
    expect(forced.doc.replaced).toBe(true);
  });
});

describe('integration suites', () => {
  it('writes a zip-store archive larger than the default one for compressible input (test_zip_store)', async () => {
    await writeFile(join(dir, 'handler.py'), 'def handle(data, context):\n    return data\n'.repeat(200));
    await writeFile(join(dir, 'vocab.txt'), 'token '.repeat(20_000));
    const args = ['--model-name', 'z', '-v', '1', '--handler', 'handler.py', '--extra-files', 'vocab.txt'];
    expect((await run([...args, '--export-path', 'deflated'])).code).toBe(0);
    expect((await run([...args, '--export-path', 'stored', '--archive-format', 'zip-store'])).code).toBe(0);
    const deflated = (await stat(join(dir, 'deflated/z.mar'))).size;
    const stored = (await stat(join(dir, 'stored/z.mar'))).size;
    expect(stored).toBeGreaterThan(deflated);
  });

  it('does not copy a built-in handler and stores the manifest handler as given (default_handler_configuration)', async () => {
    await writeFile(join(dir, 'source_vocab.pt'), 'vocab');
    const { code, doc } = await run([...minimal('text'), '--handler', 'text_classifier', '--extra-files', 'source_vocab.pt']);
    expect(code).toBe(0);
    const paths = (doc.entries as { path: string }[]).map((entry) => entry.path).sort();
    expect(paths).toEqual(['MAR-INF/MANIFEST.json', 'source_vocab.pt']);
    expect((doc.manifest as { model: { handler: string } }).model.handler).toBe('text_classifier');
  });

  it('stores the handler base name in a TorchServe manifest (handler == input.split("/")[-1])', async () => {
    await mkdir(join(dir, 'handlers'));
    await writeFile(join(dir, 'handlers/test_handler.py'), 'def my_handler(data, context):\n    return data\n');
    const { code, doc } = await run([...minimal('h'), '--handler', 'handlers/test_handler:my_handler']);
    expect(code).toBe(0);
    expect((doc.manifest as { model: { handler: string } }).model.handler).toBe('test_handler:my_handler');
  });

  it('refuses a missing extra file (missing_extra_files) with INPUT_NOT_FOUND', async () => {
    const { code, doc } = await run([...minimal('x'), '--extra-files', 'nope.txt']);
    expect(code).toBe(4);
    expect(errorCode(doc)).toBe('INPUT_NOT_FOUND');
  });
});
