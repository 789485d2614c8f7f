import type { ParsedManifest } from '../manifest/schemas.js';

/** What a loader needs from a manifest's model, named the same for every flavour. */
export interface ManifestModel {
  /** `model.modelName` (legacy MMS 0.x: `Model.Model-Name`). */
  modelName: string;
  /** `model.handler` (legacy MMS 0.x: `Model.Service`). */
  handler: string;
  /** `model.modelVersion` (required by torchserve and node, optional in mms, absent from legacy MMS 0.x). */
  modelVersion?: string;
  /** `model.serializedFile` (torchserve, node). */
  serializedFile?: string;
  /** `model.configFile` (torchserve, node). */
  configFile?: string;
}

/** Sets `key` only when `value` is a non-empty string (optional manifest fields stay absent). */
function withOptional(target: ManifestModel, key: 'modelVersion' | 'serializedFile' | 'configFile', value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

/**
 * The model fields of a checked manifest, read with its flavour's type (zod-free: the schemas are only imported as
 * types). The flavours differ: legacy MMS 0.x names them `Model.Model-Name` and `Model.Service`, mms has no file
 * fields.
 *
 * @example
 * const { handler, configFile } = manifestModel(await archive.readManifest());
 */
export function manifestModel(parsed: ParsedManifest): ManifestModel {
  switch (parsed.flavour) {
    case 'legacy-mms': {
      const { Model: model } = parsed.manifest;
      return { modelName: model['Model-Name'], handler: model.Service };
    }
    case 'mms': {
      const { model } = parsed.manifest;
      const fields: ManifestModel = { modelName: model.modelName, handler: model.handler };
      withOptional(fields, 'modelVersion', model.modelVersion);
      return fields;
    }
    case 'torchserve':
    case 'node': {
      const { model } = parsed.manifest;
      const fields: ManifestModel = { modelName: model.modelName, handler: model.handler };
      withOptional(fields, 'modelVersion', model.modelVersion);
      withOptional(fields, 'serializedFile', model.serializedFile);
      withOptional(fields, 'configFile', model.configFile);
      return fields;
    }
  }
}
