import { z } from 'zod';

import { RUNTIMES_BY_FLAVOUR } from '../vocabulary/runtimes.js';
import { fileField, handlerField, modelNameField, modelVersionField } from './schema-fields.js';

/** Runtimes of the TorchServe manifest (`python`, `python3`, and `LSP` for large-model serving). */
export const TorchServeRuntimeSchema = z.enum(RUNTIMES_BY_FLAVOUR.torchserve).describe('Runtime the TorchServe worker uses');

/**
 * The `model` object of a TorchServe manifest. Unknown keys are accepted and kept (Gson ignores them; archivers
 * before 0.8 wrote `config`, for example).
 */
export const TorchServeModelSchema = z
  .looseObject({
    modelName: modelNameField('Model name (`--model-name`)'),
    serializedFile: fileField('Weights file at the archive root (basename of `--serialized-file`)').optional(),
    handler: handlerField(
      'Entry point: a built-in handler name, `module[:function]` or `file.py[:function]` (basename of `--handler`)',
    ),
    modelFile: fileField('Model definition file at the archive root (basename of `--model-file`)').optional(),
    modelVersion: modelVersionField('Model version (`-v/--version`); required by the TorchServe reader'),
    extensions: z.unknown().optional().describe('Free-form extensions (never written by the archiver)'),
    requirementsFile: fileField('pip requirements file at the archive root (basename of `-r`)').optional(),
    configFile: fileField('Model config YAML at the archive root (basename of `-c/--config-file`)').optional(),
    envelope: z.string().optional().describe('Request envelope (`body`, `json`, `kserve`, `kservev2`), read by the server'),
    description: z.string().optional().describe('Free-text description of the model'),
  })
  .describe('The model, its files and its entry point');

/**
 * `MAR-INF/MANIFEST.json` written by TorchServe `torch-model-archiver` (0.2.0 to 0.12.0). Required fields are those
 * TorchServe's `validate()` requires (`runtime`, `model.modelName`, `model.modelVersion`) plus `model.handler`,
 * which the archiver always writes. `createdOn` and `archiverVersion` are optional: the server only warns when they
 * are missing. Unknown keys are accepted (Gson ignores them).
 */
export const TorchServeManifestSchema = z
  .looseObject({
    createdOn: z
      .string()
      .optional()
      .describe('Creation time, "%d/%m/%Y %H:%M:%S" (the reference tool writes local time; this project writes UTC)'),
    description: z.string().optional().describe('Free-text description of the archive'),
    runtime: TorchServeRuntimeSchema,
    model: TorchServeModelSchema,
    archiverVersion: z.string().optional().describe('Version of the archiver that wrote the archive, e.g. "0.12.0"'),
  })
  .describe('TorchServe manifest (pytorch/serve torch-model-archiver 0.12.0)');

/** A parsed TorchServe manifest. */
export type TorchServeManifest = z.output<typeof TorchServeManifestSchema>;
/** Input shape of {@link TorchServeManifestSchema}. */
export type TorchServeManifestInput = z.input<typeof TorchServeManifestSchema>;
/** TorchServe runtimes. */
export type TorchServeRuntime = z.output<typeof TorchServeRuntimeSchema>;
