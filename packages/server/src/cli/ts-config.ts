import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';
import { parse as parseProperties } from 'dot-properties';

import { listModelStoreSync } from '../model-store.js';

/** `model-server` flag values taken from a TorchServe/MMS `config.properties` (yargs config object, flag names). */
export type ConfigFlags = Record<string, string | number | boolean | string[]>;

/** What a `config.properties` gave: flag values, and the keys that were ignored (logged as warnings at start). */
export interface TsConfig {
  flags: ConfigFlags;
  ignored: string[];
}

const bad = (file: string, key: string, why: string): ModelArchiveError =>
  new ModelArchiveError(ErrorCode.INVALID_OPTION, `${file}: ${key} ${why}`, { details: { parameter: key, file } });

/** `http://host:port` → host and port; https (TLS) is not served, and the path must be empty. */
const address = (file: string, key: string, value: string): { host: string; port: number } => {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INVALID_OPTION, `${file}: ${key} must be http://host:port (got ${value})`, { details: { parameter: key, file }, cause: error });
  }
  if (url.protocol !== 'http:') throw bad(file, key, `must be an http:// address; TLS is not supported (got ${value})`);
  if (url.pathname !== '/' && url.pathname !== '') throw bad(file, key, `must not have a path (got ${value})`);
  const port = url.port === '' ? 80 : Number(url.port);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
};

const integer = (file: string, key: string, value: string): number => {
  if (!/^[+-]?\d+$/.test(value.trim())) throw bad(file, key, `must be an integer (got ${value})`);
  return Number(value.trim());
};

/** `load_models`: `all` (every archive or folder in the model store, see model-store.ts), or a comma-separated list of `name=file` or `file`. */
const loadModels = (file: string, value: string, modelStore: string | undefined): string[] => {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'standalone') return [];
  if (trimmed.toLowerCase() === 'all') {
    if (modelStore === undefined) throw bad(file, 'load_models', 'is "all" but no model_store is set');
    return listModelStoreSync(modelStore).map((model) => model.entry);
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
};

/** Reads one `config.properties` key (named `key`, from `file`) into flag values. */
type KeyReader = (value: string, file: string, flags: ConfigFlags, key: string) => void;

/** An `http://host:port` key: sets the host flag and the port flag. */
const addressKey =
  (hostFlag: string, portFlag: string): KeyReader =>
  (value, file, flags, key) => {
    const { host, port } = address(file, key, value);
    flags[hostFlag] = host;
    flags[portFlag] = port;
  };

/** An integer key: sets `flag`. */
const integerKey =
  (flag: string): KeyReader =>
  (value, file, flags, key) => {
    flags[flag] = integer(file, key, value);
  };

/** A boolean key, read as Java's `Boolean.parseBoolean` does (only `true`, in any case, is true): sets `flag`. */
const booleanKey =
  (flag: string): KeyReader =>
  (value, _file, flags) => {
    flags[flag] = value.trim().toLowerCase() === 'true';
  };

/** Keys read from `config.properties`, with the flag each sets. */
const KEYS: Readonly<Record<string, KeyReader>> = {
  inference_address: addressKey('host', 'inference-port'),
  management_address: addressKey('management-host', 'management-port'),
  metrics_address: addressKey('metrics-host', 'metrics-port'),
  model_store: (value, file, flags) => {
    flags['model-store'] = path.resolve(path.dirname(file), value.trim());
  },
  default_workers_per_model: integerKey('workers'),
  job_queue_size: integerKey('queue-size'),
  max_request_size: integerKey('max-request-size'),
  default_response_timeout: integerKey('response-timeout'),
  default_startup_timeout: integerKey('startup-timeout'),
  unregister_model_timeout: integerKey('shutdown-timeout'),
  max_response_size: integerKey('max-response-size'),
  disable_token_authorization: booleanKey('disable-token-auth'),
  token_expiration_min: integerKey('token-expiration'),
  enable_model_api: booleanKey('enable-model-api'),
};

/**
 * Reads a TorchServe/MMS `config.properties` (Java properties syntax, parsed by `dot-properties`) into `model-server`
 * flag values: `inference_address`, `management_address`, `metrics_address`, `model_store` (relative to the file),
 * `load_models`, `default_workers_per_model`, `job_queue_size`, `max_request_size`, `default_response_timeout`,
 * `default_startup_timeout`, `unregister_model_timeout`, `max_response_size`, `disable_token_authorization`,
 * `token_expiration_min`, `enable_model_api`. Other keys are returned in `ignored`. A missing file or a bad
 * value is `INVALID_OPTION` (or `INPUT_NOT_FOUND` for the file).
 */
export const readTsConfig = (file: string): TsConfig => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ModelArchiveError(ErrorCode.INPUT_NOT_FOUND, `Cannot read config file ${file}`, { details: { path: file }, cause: error });
  }
  const properties = parseProperties(text) as Record<string, string>;
  const flags: ConfigFlags = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(properties)) {
    const apply = KEYS[key];
    if (apply === undefined) {
      if (key !== 'load_models') ignored.push(key);
      continue;
    }
    apply(value, file, flags, key);
  }
  if (properties.load_models !== undefined) {
    const store = typeof flags['model-store'] === 'string' ? flags['model-store'] : undefined;
    flags.models = loadModels(file, properties.load_models, store);
  }
  return { flags, ignored: ignored.sort() };
};
