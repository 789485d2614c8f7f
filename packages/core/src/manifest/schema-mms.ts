import { z } from 'zod';

import { RUNTIMES_BY_FLAVOUR } from '../vocabulary/runtimes.js';
import { handlerField, jsonObjectField, modelNameField, modelVersionField } from './schema-fields.js';

/** Runtimes of the MMS 1.0 manifest (`RuntimeType` in both the archiver and the Java reader). */
export const MmsRuntimeSchema = z.enum(RUNTIMES_BY_FLAVOUR.mms).describe('Python runtime the MMS worker uses');

/**
 * The `model` object of an MMS 1.0 manifest. Unknown keys are accepted and kept: the Java reader (Gson) ignores them,
 * and older archivers wrote extra keys such as `batch_size`.
 */
export const MmsModelSchema = z
  .looseObject({
    modelName: modelNameField('Model name (`--model-name`); the default name the model is registered under'),
    handler: handlerField('Entry point, stored verbatim: `module[:function]`, `file.py[:function]` or a path'),
    description: z.string().optional().describe('Free-text description of the model'),
    modelVersion: modelVersionField('Model version').optional(),
    extensions: jsonObjectField('Free-form extension map (MMS reads it as Map<String, Object>)').optional(),
  })
  .describe('The model and its entry point');

/** The `engine` object of an MMS 1.0 manifest (`engineName` is required when `engine` is present). */
export const MmsEngineSchema = z
  .looseObject({
    engineName: z.string().min(1).describe('Engine name, e.g. "MXNet"'),
    engineVersion: z.string().optional().describe('Engine version'),
  })
  .describe('Deep-learning engine the model needs');

/** The `publisher` object of an MMS 1.0 manifest. */
export const MmsPublisherSchema = z
  .looseObject({
    author: z.string().optional().describe('Author name'),
    email: z.string().optional().describe('Author e-mail'),
  })
  .describe('Who published the archive');

/**
 * `MAR-INF/MANIFEST.json` written by MMS `model-archiver` 1.0.x. Required fields are those the MMS reader's
 * `validate()` requires (`runtime`, `model.modelName`, `model.handler`); the three version fields are optional
 * because the reader defaults them to `"1.0"`. Unknown keys are accepted (Gson ignores them).
 */
export const MmsManifestSchema = z
  .looseObject({
    runtime: MmsRuntimeSchema,
    model: MmsModelSchema,
    engine: MmsEngineSchema.optional(),
    license: z.string().optional().describe('License of the model'),
    modelServerVersion: z.string().optional().describe('Model server version the archive targets; written as "1.0"'),
    description: z.string().optional().describe('Free-text description of the archive'),
    implementationVersion: z.string().optional().describe('Implementation version; written as "1.0"'),
    specificationVersion: z
      .string()
      .optional()
      .describe('Manifest specification version; written as "1.0" ("0.1" for migrated legacy manifests)'),
    userData: z.unknown().optional().describe('Free-form user data'),
    publisher: MmsPublisherSchema.optional(),
  })
  .describe('MMS 1.0 manifest (awslabs/multi-model-server model-archiver 1.0.x)');

/** A parsed MMS 1.0 manifest. */
export type MmsManifest = z.output<typeof MmsManifestSchema>;
/** Input shape of {@link MmsManifestSchema}. */
export type MmsManifestInput = z.input<typeof MmsManifestSchema>;
/** MMS runtimes. */
export type MmsRuntime = z.output<typeof MmsRuntimeSchema>;
