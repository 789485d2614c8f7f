/**
 * The model config file (`model.configFile`, YAML or JSON, TorchServe's `model-config.yaml`) and the ONNX session
 * settings derived from it: an `onnx` section with `executionProviders`, `graphOptimizationLevel`,
 * `intraOpNumThreads`, `interOpNumThreads`. Load options win over the file; defaults are cpu / all / 0 / 0.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { ModelArchiveError } from '@model-archiver/core/read';

import type { OnnxSessionOptions } from './onnx/onnx.js';
import type { GraphOptimizationLevel, LoadOptions } from './types.js';

const LEVELS: readonly GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'layout', 'all'];

type YamlModule = typeof import('yaml');
let yamlModule: Promise<YamlModule> | undefined;
const isJson = (configFile: string): boolean => /\.json$/i.test(configFile);

/**
 * Starts importing the YAML parser when `configFile` will need it (its import is not free), so that the import
 * overlaps the archive's materialisation; {@link readModelConfig} uses the same import.
 */
export function prefetchConfigParser(configFile: string | undefined): void {
  if (configFile !== undefined && !isJson(configFile)) yamlModule ??= import('yaml');
}

/** Reads and parses the config file named by the manifest; `{}` when there is none. */
export async function readModelConfig(modelDir: string, configFile: string | undefined): Promise<Record<string, unknown>> {
  if (configFile === undefined) return {};
  const file = path.join(modelDir, ...configFile.replaceAll('\\', '/').split('/'));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelArchiveError('MODEL_LOAD_FAILED', `The model config file ${configFile} named by the manifest is not in the archive`, {
      cause,
      details: { configFile },
    });
  }
  let parsed: unknown;
  try {
    // yaml is loaded only for YAML files; JSON is parsed directly.
    parsed = isJson(configFile) ? JSON.parse(text) : (await (yamlModule ??= import('yaml'))).parse(text);
  } catch (cause) {
    throw new ModelArchiveError('MODEL_LOAD_FAILED', `The model config file ${configFile} is not valid YAML or JSON: ${(cause as Error).message}`, {
      cause,
      details: { configFile },
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ModelArchiveError('MODEL_LOAD_FAILED', `The model config file ${configFile} must hold a mapping`, { details: { configFile } });
  }
  return parsed as Record<string, unknown>;
}

const badSetting = (key: string, value: unknown, expected: string): ModelArchiveError =>
  new ModelArchiveError('INVALID_OPTION', `ONNX setting ${key} must be ${expected}`, { details: { key, value } });

const threads = (key: string, value: unknown): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw badSetting(key, value, 'an integer >= 0');
  return value;
};

const providers = (value: unknown): string[] | undefined => {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw badSetting('executionProviders', value, 'a list of provider names');
  }
  return list.map((p: string) => p.trim().toLowerCase());
};

const level = (value: unknown): GraphOptimizationLevel | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(LEVELS as readonly string[]).includes(value)) throw badSetting('graphOptimizationLevel', value, LEVELS.join(' | '));
  return value as GraphOptimizationLevel;
};

const flag = (name: string, value: unknown): boolean | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badSetting(name, value, 'true or false');
  return value;
};

/** Session settings: load options, then the config's `onnx` section, then defaults. */
export function onnxSettings(options: LoadOptions, modelConfig: Record<string, unknown>): OnnxSessionOptions {
  const raw = modelConfig['onnx'];
  const section = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    executionProviders: providers(options.executionProviders) ?? providers(section['executionProviders']) ?? ['cpu'],
    gpuId: options.gpuId ?? null,
    graphOptimizationLevel: level(options.graphOptimizationLevel) ?? level(section['graphOptimizationLevel']) ?? 'all',
    intraOpNumThreads: threads('intraOpNumThreads', options.intraOpNumThreads) ?? threads('intraOpNumThreads', section['intraOpNumThreads']) ?? 0,
    interOpNumThreads: threads('interOpNumThreads', options.interOpNumThreads) ?? threads('interOpNumThreads', section['interOpNumThreads']) ?? 0,
    requireExecutionProvider: options.requireExecutionProvider ?? flag('requireExecutionProvider', section['requireExecutionProvider']) ?? false,
    nativeLogs: options.nativeLogs ?? false,
  };
}
