import { z } from 'zod';

import { RUNTIMES_BY_FLAVOUR } from '../vocabulary/runtimes.js';
import { fileField, handlerField, jsonObjectField, modelNameField, modelVersionField } from './schema-fields.js';

/** Current version of the node manifest format ({@link NodeManifestSchema} `manifestVersion`). */
export const NODE_MANIFEST_VERSION = 1;

/**
 * The `model` object of a node manifest: TorchServe's field names, closed to unknown keys
 * (put custom data under `extensions`).
 */
export const NodeModelSchema = z
  .strictObject({
    modelName: modelNameField('Model name; the default name the model is registered under'),
    serializedFile: fileField('Model file (e.g. ONNX) as an archive path; optional for handlers that need none').optional(),
    handler: handlerField(
      'Entry point: a built-in handler name, or `[dir/]module[.mjs|.js|.cjs][:function]` relative to the archive root',
    ),
    modelFile: fileField('Extra model definition file as an archive path').optional(),
    modelVersion: modelVersionField('Model version; the default version the model is registered under'),
    requirementsFile: fileField('Dependency list as an archive path (informational)').optional(),
    configFile: fileField('Model config YAML as an archive path (workers, batch size, ...)').optional(),
    description: z.string().optional().describe('Free-text description of the model'),
    extensions: jsonObjectField('Free-form data for handlers and tools').optional(),
  })
  .describe('The model, its files and its entry point');

/**
 * `MAR-INF/MANIFEST.json` of this project's `node` flavour: archives whose handler is JavaScript, run by
 * `@model-archiver/runtime` on ONNX Runtime. It keeps TorchServe's field names, adds a schema version
 * (`manifestVersion`), records `createdOn` in ISO-8601 UTC and rejects unknown keys (it is our own format, so a typo
 * is an error rather than silently ignored).
 */
export const NodeManifestSchema = z
  .strictObject({
    manifestVersion: z.literal(NODE_MANIFEST_VERSION).describe('Version of this manifest format'),
    createdOn: z.iso.datetime().describe('Creation time, ISO-8601 in UTC (e.g. "2024-01-02T03:04:05Z"); reproducible builds use a fixed time'),
    runtime: z.literal(RUNTIMES_BY_FLAVOUR.node[0]).describe('Always "node": the handler is a JavaScript module'),
    model: NodeModelSchema,
    archiverVersion: z.string().min(1).describe('Version of the tool that wrote the archive'),
  })
  .describe('Node manifest (this project; JavaScript handlers on ONNX Runtime)');

/** A parsed node manifest. */
export type NodeManifest = z.output<typeof NodeManifestSchema>;
/** Input shape of {@link NodeManifestSchema}. */
export type NodeManifestInput = z.input<typeof NodeManifestSchema>;
