/**
 * `loadModel(archive, options)`: materialise the archive (integrity checked, cached by content digest), read the
 * manifest and model config, resolve the handler, build the context, `initialize(context)`, and return a model that
 * handles batches one at a time and can be closed.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { ModelArchiveError, isModelArchiveError, manifestModel, stripArchiveSuffix } from '@model-archiver/core/read';

import { defaultCacheDir } from './cache/cache-index.js';
import { HandlerContext } from './context.js';
import type { HandlerRuntime } from './handlers/handler-forms.js';
import { resolveHandler } from './handlers/handler-resolve.js';
import { materialiseArchive } from './cache/materialise.js';
import { onnxSettings, readModelConfig } from './model-config.js';
import { pythonTargetOf } from './python/python-target.js';
import { RuntimeModel } from './runtime-model.js';
import { OnnxSessionFactory } from './onnx/session-factory.js';
import type { LoadOptions, LoadedModel } from './types.js';
import { RUNTIME_VERSION } from './version.js';

const findSingleOnnx = async (modelDir: string): Promise<string | undefined> => {
  const names = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.onnx')).map((e) => e.name);
  return names.length === 1 ? names[0] : undefined;
};

const describeError = (error: unknown): { text: string; stack: string | undefined } => {
  const err = error instanceof Error ? error : new Error(String(error));
  return { text: `${err.name}: ${err.message}`, stack: err.stack };
};

const checkOptions = (options: LoadOptions): void => {
  const bad = (option: string, value: unknown, expected: string): ModelArchiveError =>
    new ModelArchiveError('INVALID_OPTION', `Load option ${option} must be ${expected}`, { details: { option, value } });
  if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1)) {
    throw bad('batchSize', options.batchSize, 'an integer >= 1');
  }
  if (options.gpuId !== undefined && options.gpuId !== null && (!Number.isInteger(options.gpuId) || options.gpuId < 0)) {
    throw bad('gpuId', options.gpuId, 'an integer >= 0 or null');
  }
};

const checkAborted = (signal: AbortSignal | undefined): void => {
  if (signal?.aborted) throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: signal.reason });
};

/**
 * Loads a model archive (`.mar` zip, `.tar.gz`, or folder) and initialises its handler.
 *
 * @example
 * const model = await loadModel('ocr-cls.mar', { executionProviders: ['cuda', 'cpu'], onWarning: console.warn });
 * const [answer] = await model.handle([{ body: png, contentType: 'image/png' }]);
 * await model.close();
 *
 * @throws ModelArchiveError: archive and integrity codes from core (`INTEGRITY_MISSING` for an archive without a
 * record, unless `allowUnverified`), HANDLER_MODULE_NOT_FOUND, HANDLER_IMPORT_FAILED,
 * HANDLER_FUNCTION_NOT_FOUND, HANDLER_INVALID, HANDLER_INIT_FAILED, MODEL_LOAD_FAILED, EXECUTION_PROVIDER_UNAVAILABLE, ABORTED; for Python
 * handlers also PYTHON_NOT_FOUND.
 */
export async function loadModel(archivePath: string, options: LoadOptions = {}): Promise<LoadedModel> {
  checkOptions(options);
  const warn = options.onWarning ?? ((): void => {});
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const materialised = await materialiseArchive(path.resolve(archivePath), {
    cacheDir,
    verifyIntegrity: options.verifyIntegrity ?? true,
    requireIntegrity: (options.verifyIntegrity ?? true) && options.allowUnverified !== true,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  checkAborted(options.signal);
  const { modelDir } = materialised;
  const { manifest } = materialised.manifest;
  const fields = manifestModel(materialised.manifest);
  const name = options.modelName ?? (fields.modelName || stripArchiveSuffix(path.basename(archivePath)));
  // A Python handler (MMS/TorchServe runtime, a .py module in the archive) runs in a Python worker process.
  const pythonTarget = await pythonTargetOf(materialised, archivePath, options.modelName, options.handler);
  if (pythonTarget !== undefined) {
    // Imported on use: archives with JavaScript handlers never load the Python worker client.
    const [{ PythonModel }, { pythonForTarget }] = await Promise.all([import('./python/python-model.js'), import('./python/python-venv.js')]);
    const python = await pythonForTarget(pythonTarget, {
      ...(options.python === undefined ? {} : { python: options.python }),
      env: process.env,
      installRequirements: options.installRequirements === true,
      cacheDir,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      warn,
    });
    return PythonModel.open({
      target: pythonTarget,
      ...(python === undefined ? {} : { python }),
      batchSize: options.batchSize ?? 1,
      gpuId: options.gpuId ?? null,
      serverVersion: options.serverVersion ?? RUNTIME_VERSION,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onStderr: (line) => options.onPythonOutput?.(line),
    });
  }
  // Independent reads of the model folder, overlapped; a failure is reported in this order.
  const [config, onnxFile, resolved] = await Promise.allSettled([
    materialised.modelConfig ?? readModelConfig(modelDir, fields.configFile),
    fields.serializedFile?.endsWith('.onnx') ? fields.serializedFile : findSingleOnnx(modelDir),
    resolveHandler(options.handler ?? fields.handler, modelDir),
  ]);
  const value = <T>(outcome: PromiseSettledResult<T>): T => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  };
  const modelConfig = value(config);
  const settings = onnxSettings(options, modelConfig);
  const defaultModel = value(onnxFile);
  const handler: HandlerRuntime = value(resolved);
  const onnx = new OnnxSessionFactory(modelDir, defaultModel, settings, warn);
  const context = new HandlerContext({
    modelName: name,
    modelDir,
    manifest,
    modelVersion: fields.modelVersion,
    systemProperties: {
      model_dir: modelDir,
      gpu_id: options.gpuId ?? null,
      batch_size: options.batchSize ?? 1,
      server_name: options.serverName ?? 'model-archiver',
      server_version: options.serverVersion ?? RUNTIME_VERSION,
    },
    modelConfig,
    onnx,
    warn,
  });
  try {
    checkAborted(options.signal);
    await handler.initialize(context);
    checkAborted(options.signal);
  } catch (error) {
    await onnx.releaseAll();
    const passThrough = ['MODEL_LOAD_FAILED', 'EXECUTION_PROVIDER_UNAVAILABLE', 'ABORTED'];
    if (isModelArchiveError(error) && passThrough.includes(error.code)) throw error;
    const { text, stack } = describeError(error);
    throw new ModelArchiveError('HANDLER_INIT_FAILED', `initialize() of handler ${handler.description} failed: ${text}\n${stack ?? ''}`, {
      cause: error,
      details: { handler: handler.description, error: text, stack },
    });
  }
  return new RuntimeModel({
    name,
    version: fields.modelVersion ?? '1.0',
    manifest,
    modelDir,
    handler,
    context,
    onnx,
  });
}
