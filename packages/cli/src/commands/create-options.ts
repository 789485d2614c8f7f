import { ModelArchiveError, checkCompressionLevel } from '@model-archiver/core/read';
import type { BuildOptions } from '@model-archiver/core';

/** `T`'s properties made optional and open to `undefined` (what yargs gives for a flag that is absent). */
type Absent<T> = { [K in keyof T]?: T[K] | undefined };

/**
 * The parsed command line of `model-archiver create` (yargs camel-cases the dashed flags): the {@link BuildOptions}
 * a flag maps onto one to one, with their types, plus the flags parsed here (`--extra-files` lists, `--timestamp`
 * text, MMS `--convert`).
 */
export type CreateArgs = Pick<BuildOptions, 'modelName' | 'handler'> &
  Absent<
    Pick<
      BuildOptions,
      | 'version'
      | 'modelPath'
      | 'serializedFile'
      | 'modelFile'
      | 'runtime'
      | 'exportPath'
      | 'archiveFormat'
      | 'force'
      | 'requirementsFile'
      | 'configFile'
      | 'flavour'
      | 'flattenExtraFiles'
      | 'ignoreFile'
      | 'compression'
      | 'compressionLevel'
      | 'description'
    >
  > &
  Absent<{ extraFiles: string | string[]; timestamp: string; convert: boolean }>;

const invalid = (message: string, details: Record<string, unknown>): ModelArchiveError =>
  new ModelArchiveError('INVALID_OPTION', message, { details });

/** A flag that takes a value must not be empty (`--serialized-file` with nothing after it parses as `''`). */
function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') {
    const hint = flag === '--config-file' ? ' (-c is TorchServe --config-file here, not MMS --convert)' : '';
    throw invalid(`${flag} needs a value${hint}`, { option: flag });
  }
  return value;
}

/**
 * Splits `--extra-files` values: each occurrence is a comma-separated list; items are trimmed (TorchServe fails on
 * `"a, b"`, we do not) and empty items are refused.
 */
export function parseExtraFiles(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = (typeof value === 'string' ? [value] : [...value]).flatMap((v) => String(v).split(','));
  const trimmed = items.map((item) => item.trim());
  if (trimmed.some((item) => item === '')) {
    throw invalid('--extra-files has an empty item (check for doubled or trailing commas)', { value });
  }
  return trimmed;
}

/**
 * Parses `--timestamp`: `now`, whole epoch seconds (`1704164645`), or an ISO-8601 date (`2024-01-02T03:04:05Z`).
 * @example parseTimestamp('2024-01-02') // 2024-01-02T00:00:00.000Z
 */
export function parseTimestamp(value: string | undefined, now: () => Date = () => new Date()): Date | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === 'now') return now();
  if (/^\d+$/.test(text)) return new Date(Number(text) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalid(`--timestamp must be 'now', epoch seconds or an ISO-8601 date, got '${value}'`, { value });
}

/** Where the build runs and what it can be told (from the CLI io). */
export interface CreateEnvironment {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

/**
 * Maps the parsed flags of both reference archivers (and ours) onto {@link BuildOptions}.
 * Throws `INVALID_OPTION` for values the flags' types cannot catch (MMS `--convert`, empty values, bad timestamps).
 */
export function toBuildOptions(args: CreateArgs, environment: CreateEnvironment): BuildOptions {
  if (args.convert === true) {
    throw invalid(
      '--convert (MMS ONNX-to-MXNet conversion) is not supported: package the .onnx file as it is; ' +
        '-c means --config-file (TorchServe)',
      { option: '--convert' },
    );
  }
  const options: BuildOptions = {
    modelName: args.modelName,
    handler: args.handler,
    cwd: environment.cwd,
    env: environment.env,
    signal: environment.signal,
  };
  const version = args.version;
  if (version !== undefined) options.version = version;
  const paths = {
    modelPath: nonEmpty('--model-path', args.modelPath),
    serializedFile: nonEmpty('--serialized-file', args.serializedFile),
    modelFile: nonEmpty('--model-file', args.modelFile),
    requirementsFile: nonEmpty('--requirements-file', args.requirementsFile),
    configFile: nonEmpty('--config-file', args.configFile),
    exportPath: nonEmpty('--export-path', args.exportPath),
  };
  for (const [key, value] of Object.entries(paths)) {
    if (value !== undefined) Object.assign(options, { [key]: value });
  }
  const extraFiles = parseExtraFiles(args.extraFiles);
  if (extraFiles !== undefined) options.extraFiles = extraFiles;
  if (args.ignoreFile !== undefined) {
    options.ignoreFile = args.ignoreFile === false ? false : (nonEmpty('--ignore-file', args.ignoreFile) ?? false);
  }
  const timestamp = parseTimestamp(args.timestamp);
  if (timestamp !== undefined) options.timestamp = timestamp;
  // Checked here too (with the builder's one rule) so a bad level is refused before core is loaded.
  if (args.compressionLevel !== undefined) options.compressionLevel = checkCompressionLevel(args.compressionLevel, '--compression-level');
  if (args.runtime !== undefined) options.runtime = args.runtime;
  if (args.flavour !== undefined) options.flavour = args.flavour;
  if (args.archiveFormat !== undefined) options.archiveFormat = args.archiveFormat;
  if (args.compression !== undefined) options.compression = args.compression;
  if (args.description !== undefined) options.description = args.description;
  if (args.force === true) options.force = true;
  if (args.flattenExtraFiles === true) options.flattenExtraFiles = true;
  return options;
}
