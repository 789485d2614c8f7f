import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import { validateModelName, validateModelVersion } from '../../vocabulary/model-names.js';
import type { BuildOptions } from '../build-options.js';
import { errnoOf, inputReadError, throwIfAborted } from '../../fs/io-errors.js';
import { chooseFlavour } from './choose-flavour.js';
import { EntrySet } from './entry-set.js';
import { planExtraFiles } from './extra-files.js';
import { type IgnoreSettings, loadIgnoreSettings } from './ignore-rules.js';
import { type PlanContext, normaliseMode, resolveInputFile } from './input-paths.js';
import { planHandler } from './plan-handler.js';
import type { ArchivePlan, PlannedManifestFiles } from './plan-types.js';
import { resolveSettings } from './resolve-settings.js';
import { mmsFileFilter, walkFolder } from './walk-folder.js';
import { LABEL_FILE, nestedLabelFiles } from '../../vocabulary/builtin-handlers.js';

/** Single-file TorchServe inputs, stored at the archive root under their base names (TorchServe's copy order). */
const ROOT_FILE_OPTIONS = ['modelFile', 'serializedFile', 'requirementsFile', 'configFile'] as const;

const statOrUndefined = async (file: string) => {
  try {
    return await stat(file);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return undefined;
    throw inputReadError(error, file);
  }
};

/** Real path of the output (the export folder may be a link), so walks can leave it out. */
const outputSkipList = async (exportPath: string, outputPath: string): Promise<string[]> => {
  const exportReal = await realpath(exportPath).catch(() => exportPath);
  return [path.join(exportReal, path.basename(outputPath))];
};

const checkExportPath = async (exportPath: string): Promise<void> => {
  const stats = await statOrUndefined(exportPath);
  if (stats !== undefined && !stats.isDirectory()) {
    throw new ModelArchiveError('INPUT_NOT_DIRECTORY', `exportPath: ${exportPath} exists and is not a folder`, {
      details: { path: exportPath, flag: 'exportPath' },
    });
  }
};

const walkModelPath = async (
  modelPath: string,
  context: PlanContext,
  ignore: IgnoreSettings,
  skip: string[],
  entries: EntrySet,
): Promise<string> => {
  const root = path.resolve(context.cwd, modelPath);
  const stats = await statOrUndefined(root);
  if (stats === undefined) {
    throw new ModelArchiveError('INPUT_NOT_FOUND', `modelPath: ${root} does not exist`, {
      details: { path: root, flag: 'modelPath' },
    });
  }
  if (!stats.isDirectory()) {
    throw new ModelArchiveError('INPUT_NOT_DIRECTORY', `modelPath: ${root} is not a folder`, {
      details: { path: root, flag: 'modelPath' },
    });
  }
  const files = await walkFolder({
    folder: root,
    fileFilter: mmsFileFilter,
    ignore,
    skip,
    warnings: context.warnings,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  for (const file of files) entries.add({ ...toPlanned(file.relPath, file), input: 'modelPath' });
  return root;
};

const toPlanned = (archivePath: string, file: { sourcePath: string; size: number; mode: 0o644 | 0o755 }) => ({
  archivePath,
  sourcePath: file.sourcePath,
  size: file.size,
  mode: file.mode,
});

/**
 * Whether extra files are flattened as torch-model-archiver does (the default) or keep their layout
 * (`keepExtraPaths`, or the deprecated `flattenExtraFiles: false`).
 */
const flattensExtraFiles = (options: BuildOptions): boolean => {
  if (options.keepExtraPaths === true && options.flattenExtraFiles === true) {
    throw new ModelArchiveError('INVALID_OPTION', 'keepExtraPaths and flattenExtraFiles contradict each other', {
      details: { option: 'keepExtraPaths', options: ['keepExtraPaths', 'flattenExtraFiles'] },
    });
  }
  return options.keepExtraPaths !== true && options.flattenExtraFiles !== false;
};

/** Kept layouts can hide files that TorchServe handlers look up at the model root (`index_to_name.json`). */
const warnNestedLabels = (entries: EntrySet, warnings: string[]): void => {
  const nested = nestedLabelFiles(entries.list().map((file) => file.archivePath));
  if (nested.length > 0) {
    warnings.push(
      `extraFiles: ${nested.join(', ')} is not at the archive root, where TorchServe handlers (and the built-in ` +
        `image_classifier) look for ${LABEL_FILE}; drop keepExtraPaths to flatten it`,
    );
  }
};

/**
 * Decides what goes into the archive and under which names, without writing anything: validates names and options,
 * picks the flavour and runtime, resolves the handler, walks `modelPath` or assembles the TorchServe inputs and
 * extra files (filters, `.marignore`, symlink policy), and refuses collisions and reserved paths.
 * The rules are documented in docs/build-inputs.md.
 *
 * @example
 * const plan = await planArchive({ modelName: 'resnet', handler: 'svc:handle', exportPath: 'out' });
 * plan.files.map((f) => f.archivePath); // ['svc.mjs']
 */
export async function planArchive(options: BuildOptions): Promise<ArchivePlan> {
  const warnings: string[] = [];
  validateModelName(options.modelName);
  if (options.version !== undefined) validateModelVersion(options.version);
  if (typeof options.handler !== 'string' || options.handler.trim() === '') {
    throw new ModelArchiveError('INVALID_OPTION', 'handler is required', {
      details: { option: 'handler', value: options.handler },
    });
  }
  const settings = resolveSettings(options, warnings);
  const cwdReal = await realpath(settings.cwd).catch((error: unknown) => {
    throw new ModelArchiveError('INPUT_NOT_FOUND', `cwd: ${settings.cwd} does not exist`, {
      cause: error,
      details: { path: settings.cwd, flag: 'cwd' },
    });
  });
  const context: PlanContext = {
    cwd: settings.cwd,
    cwdReal,
    warnings,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const { flavour, reason, runtime } = await chooseFlavour(options, settings.cwd);
  if (flavour === 'torchserve' && options.version === undefined) {
    throw new ModelArchiveError('INVALID_OPTION', `version is required for the torchserve flavour (${reason})`, {
      details: { option: 'version', flavour },
    });
  }
  if (flavour === 'mms') {
    const given = ROOT_FILE_OPTIONS.filter((key) => options[key] !== undefined);
    if (given.length > 0) {
      throw new ModelArchiveError('INVALID_OPTION', `The mms manifest has no field for ${given.join(', ')} (${reason})`, {
        details: { option: given[0], options: given, flavour },
      });
    }
  }
  await checkExportPath(settings.exportPath);
  throwIfAborted(options.signal);

  const ignore = await loadIgnoreSettings(options.ignoreFile, settings.cwd);
  const skip = await outputSkipList(settings.exportPath, settings.outputPath);
  const entries = new EntrySet();
  const modelRoot =
    options.modelPath === undefined
      ? undefined
      : await walkModelPath(options.modelPath, context, ignore, skip, entries);

  const manifestFiles: PlannedManifestFiles = {};
  for (const key of ROOT_FILE_OPTIONS) {
    const given = options[key];
    if (given === undefined) continue;
    const file = await resolveInputFile(given, key, context);
    const name = path.basename(file.abs);
    entries.add({
      archivePath: name,
      sourcePath: file.real,
      size: file.stats.size,
      mode: normaliseMode(file.stats.mode),
      input: key,
    });
    manifestFiles[key] = name;
  }
  const manifestHandler = await planHandler({
    handler: options.handler,
    flavour,
    runtime,
    ...(modelRoot === undefined ? {} : { modelRoot }),
    context,
    entries,
  });
  if (options.extraFiles !== undefined) {
    const flatten = flattensExtraFiles(options);
    await planExtraFiles(options.extraFiles, { ...context, ignore, skip, flatten }, entries);
    if (!flatten) warnNestedLabels(entries, warnings);
  }
  throwIfAborted(options.signal);

  return {
    modelName: options.modelName,
    format: settings.format,
    flavour,
    flavourReason: reason,
    runtime,
    ...(options.version === undefined ? {} : { version: options.version }),
    manifestHandler,
    manifestFiles,
    ...(options.description === undefined ? {} : { description: options.description }),
    files: entries.list(),
    exportPath: settings.exportPath,
    outputPath: settings.outputPath,
    timestamp: settings.timestamp,
    compression: settings.compression,
    compressionLevel: settings.compressionLevel,
    force: settings.force,
    warnings,
  };
}
