import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

import { ModelArchiveError } from '@model-archiver/core/read';
import type { InferenceRequest, InferenceResponse } from '@model-archiver/runtime';
import type { CommandModule } from 'yargs';

import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { loadRuntime } from '../load-runtime.js';
import { displayPath } from '../output/format.js';

/** Flags of `predict`. */
interface PredictFlags {
  archive: string;
  inputs: string[];
  ep?: string;
  'require-ep': boolean;
  verbose: boolean;
  batch: boolean;
  'content-type'?: string;
  'cache-dir'?: string;
  verify: boolean;
  'allow-unverified': boolean;
  json: boolean;
  python?: string;
  'install-requirements': boolean;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
};

/** One input: a file (content type from its extension) or inline JSON (`{...}` / `[...]`). */
interface PredictInput {
  label: string;
  request: InferenceRequest;
}

async function readInput(arg: string, index: number, cwd: string, contentType: string | undefined): Promise<PredictInput> {
  const file = resolve(cwd, arg);
  const isFile = await stat(file).then((s) => s.isFile(), () => false);
  if (!isFile) {
    if (/^\s*[[{]/.test(arg)) {
      let body: unknown;
      try {
        body = JSON.parse(arg);
      } catch (cause) {
        throw new ModelArchiveError('INPUT_INVALID', `Input ${index + 1} is neither a file nor valid JSON`, { cause, details: { input: index } });
      }
      return { label: `input ${index + 1} (inline JSON)`, request: { body, contentType: contentType ?? 'application/json', requestId: String(index + 1) } };
    }
    throw new ModelArchiveError('INPUT_NOT_FOUND', `Input file not found: ${arg}`, { details: { path: file } });
  }
  const body = await readFile(file);
  const type = contentType ?? CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return { label: displayPath(file, cwd), request: { body, contentType: type, requestId: String(index + 1) } };
}

/**
 * Splits `--ep` (`cuda,cpu`) and checks every name against the providers this onnxruntime-node build has: a name it
 * lacks (`gpu`) is a usage error listing them, not a silent CPU fallback.
 */
export function parseProviders(value: string, available: readonly string[]): string[] {
  const names = value.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  const unknown = names.filter((name) => !available.includes(name));
  if (names.length === 0 || unknown.length > 0) {
    const what = names.length === 0 ? '--ep names no provider' : `Unknown execution provider ${unknown.join(', ')}`;
    throw new ModelArchiveError('INVALID_OPTION', `${what}; this build has ${available.join(', ')}`, {
      details: { option: '--ep', unknown, available: [...available] },
    });
  }
  return names;
}

/** A response body for printing: JSON as is, text as a string, bytes as base64. */
const printable = (response: InferenceResponse): unknown =>
  Buffer.isBuffer(response.body) ? { encoding: 'base64', bytes: response.body.length, data: response.body.toString('base64') } : response.body;

const renderBody = (response: InferenceResponse): string => {
  if (Buffer.isBuffer(response.body)) return `<${response.body.length} bytes of ${response.contentType}>`;
  if (typeof response.body === 'string') return response.body;
  return JSON.stringify(response.body, null, 2);
};

/**
 * `model-archiver predict <archive> <input>...`: loads the archive with `@model-archiver/runtime`, runs each input
 * (a file, or inline JSON such as KServe v2 tensors) through its handler, and prints the results. One request per
 * batch by default; `--batch` sends all inputs as one batch. Exit 1 when an item answers a status >= 400.
 */
export const predictCommand = (context: CommandContext): CommandModule<object, PredictFlags> => ({
  command: 'predict <archive> <inputs..>',
  describe: "Run inputs through an archive's handler and print the results",
  builder: (yargs) =>
    yargs
      .positional('archive', { type: 'string', demandOption: true, describe: 'Archive (.mar, .tar.gz) or model folder' })
      .positional('inputs', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'Input files (content type from the extension) or inline JSON (e.g. KServe v2 tensors)',
      })
      .options({
        ep: { type: 'string', describe: 'Execution providers in order, e.g. cuda,cpu (falls back to cpu with a warning)' },
        'require-ep': {
          type: 'boolean', default: false,
          describe: 'The first --ep provider must load: EXECUTION_PROVIDER_UNAVAILABLE (exit 8) instead of the cpu fallback',
        },
        verbose: { type: 'boolean', default: false, describe: "Let ONNX Runtime and its providers' native libraries log on stderr" },
        batch: { type: 'boolean', default: false, describe: 'Send all inputs as one batch instead of one request each' },
        'content-type': { type: 'string', describe: 'Content type of every input (default: from the file extension)' },
        'cache-dir': { type: 'string', describe: 'Model cache folder (default: $MODEL_ARCHIVER_CACHE_DIR or <tmp>/model-archiver-<uid>/cache)' },
        verify: { type: 'boolean', default: true, describe: 'Check every file against the integrity record (--no-verify skips the check)' },
        'allow-unverified': {
          type: 'boolean',
          default: false,
          describe: 'Load an archive without an integrity record (reference-tool archives), unchecked; else INTEGRITY_MISSING',
        },
        json: { type: 'boolean', default: false, describe: 'Print the results as one JSON document on stdout' },
        python: { type: 'string', describe: 'Python interpreter for archives with a Python handler (default: $PYTHON, else python3 on the PATH)' },
        'install-requirements': { type: 'boolean', default: false, describe: "Install a Python archive's requirements.txt into a virtual environment of the model's own (in the cache)" },
      })
      .example('$0 predict ocr-orientation.mar upright.png rotated.png', 'classify two images')
      .example(`$0 predict tiny.mar '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}' --json`, 'KServe v2 tensors in, JSON out')
      .example('$0 predict ocr.mar a.png b.png --batch --ep cuda,cpu', 'one batch, CUDA if available'),
  handler: async (argv) => {
    const { io } = context;
    const inputs = await Promise.all(argv.inputs.map((arg, i) => readInput(String(arg), i, io.cwd, argv['content-type'])));
    const warnings: string[] = [];
    const started = performance.now();
    // The runtime (ONNX Runtime, sharp) loads only when predict runs, so other commands start fast.
    if (argv['require-ep'] && argv.ep === undefined) {
      throw new ModelArchiveError('INVALID_OPTION', '--require-ep needs --ep (the provider to require first)', { details: { option: '--require-ep' } });
    }
    const { loadModel, availableExecutionProviders } = await loadRuntime('predict');
    const providers = argv.ep === undefined ? undefined : parseProviders(argv.ep, availableExecutionProviders());
    const model = await loadModel(resolve(io.cwd, argv.archive), {
      ...(providers === undefined ? {} : { executionProviders: providers }),
      requireExecutionProvider: argv['require-ep'],
      nativeLogs: argv.verbose,
      ...(argv['cache-dir'] === undefined ? {} : { cacheDir: resolve(io.cwd, argv['cache-dir']) }),
      batchSize: argv.batch ? inputs.length : 1,
      verifyIntegrity: argv.verify,
      allowUnverified: argv['allow-unverified'],
      signal: io.signal,
      ...(argv.python === undefined || argv.python === '' ? {} : { python: argv.python }),
      installRequirements: argv['install-requirements'],
      // A Python handler's print() output, as the Node handlers' console output: on stderr.
      onPythonOutput: (line) => io.stderr.write(`${line}\n`),
      onWarning: (message) => {
        warnings.push(message);
        if (!argv.json) io.stderr.write(`model-archiver: warning: ${message}\n`);
      },
    });
    const loadMs = performance.now() - started;
    const results: { input: string; response: InferenceResponse; ms: number }[] = [];
    try {
      const batches = argv.batch ? [inputs] : inputs.map((input) => [input]);
      for (const batch of batches) {
        const t0 = performance.now();
        const responses = await model.handle(batch.map((b) => b.request));
        const ms = (performance.now() - t0) / batch.length;
        responses.forEach((response, i) => results.push({ input: batch[i]!.label, response, ms }));
      }
    } finally {
      await model.close();
    }
    if (argv.json) {
      const doc = {
        ok: true,
        model: { name: model.name, version: model.version },
        loadMs: Number(loadMs.toFixed(1)),
        warnings,
        results: results.map(({ input, response, ms }) => ({
          input,
          status: response.status,
          contentType: response.contentType,
          ms: Number(ms.toFixed(2)),
          body: printable(response),
        })),
      };
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      io.stdout.write(`model ${model.name} ${model.version} loaded in ${loadMs.toFixed(0)} ms from ${basename(argv.archive)}\n`);
      for (const { input, response, ms } of results) {
        const status = response.status === 200 ? '' : ` status ${response.status}`;
        io.stdout.write(`\n${input}${status} (${ms.toFixed(1)} ms):\n${renderBody(response)}\n`);
      }
    }
    if (results.some((r) => r.response.status >= 400)) context.setExitCode(ExitCode.CHECK_FAILED);
  },
});
