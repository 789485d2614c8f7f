/** Reading the few manifest fields the runtime needs, across flavours (node, TorchServe, MMS, legacy MMS). */

/** The fields of a manifest's `model` section the runtime uses. */
export interface ManifestModelFields {
  modelName?: string;
  modelVersion?: string;
  handler?: string;
  serializedFile?: string;
  configFile?: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Picks `model.{modelName, modelVersion, handler, serializedFile, configFile}` (legacy MMS: `model.{...}` too). */
export function manifestModelFields(manifest: Record<string, unknown>): ManifestModelFields {
  const model = manifest['model'];
  const m = typeof model === 'object' && model !== null ? (model as Record<string, unknown>) : {};
  return {
    modelName: str(m['modelName']),
    modelVersion: str(m['modelVersion']) ?? str(manifest['modelVersion']),
    handler: str(m['handler']),
    serializedFile: str(m['serializedFile']),
    configFile: str(m['configFile']) ?? str(manifest['configFile']),
  };
}
