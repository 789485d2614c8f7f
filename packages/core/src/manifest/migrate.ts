import type { LegacyMmsManifest } from './schema-legacy.js';
import type { MmsManifest } from './schema-mms.js';
import { MMS_MANIFEST_VERSION } from './versions.js';

/**
 * Java's `Double.toString`, which MMS applies to the engine version (Gson reads JSON numbers in a
 * `Map<String, Object>` as doubles): `1` → `"1.0"`, `0.12` → `"0.12"`, `1e7` → `"1.0E7"`.
 */
function javaDoubleToString(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) return Number.isInteger(value) ? value.toFixed(1) : String(value);
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/**
 * Converts a legacy MMS 0.x manifest into the MMS 1.0 manifest MMS itself builds from it
 * (`LegacyManifest.migrate()` in MMS `frontend/modelarchive`):
 * `runtime` `python`; `model.modelName` ← `Model.Model-Name`; `model.handler` ← `Model.Service`;
 * `model.description` ← `Model.Description`; `model.modelVersion` `"snapshot"`;
 * `model.extensions` `{parametersFile ← Model.Parameters, symbolFile ← Model.Symbol}` (absent values left out);
 * `engine` `{engineName: "MXNet", engineVersion}` only when `Engine.MXNet` is a number;
 * `license` ← `License`; `description` ← `Model-Archive-Description`; `publisher` ← `Created-By`;
 * `specificationVersion` `"0.1"`, `implementationVersion` and `modelServerVersion` `"1.0"`.
 * Keys come out in MMS 1.0 order, so `serializeManifest` gives a normal MMS manifest.
 *
 * @example
 * const { manifest } = parseManifest(text, { path: 'MANIFEST.json' }); // flavour 'legacy-mms'
 * const mms = migrateLegacyManifest(manifest as LegacyMmsManifest);
 */
export function migrateLegacyManifest(legacy: LegacyMmsManifest): MmsManifest {
  const info = legacy.Model;
  const extensions: Record<string, string> = {};
  if (info.Parameters !== undefined) extensions['parametersFile'] = info.Parameters;
  if (info.Symbol !== undefined) extensions['symbolFile'] = info.Symbol;
  const mxnet = legacy.Engine?.['MXNet'];
  const createdBy = legacy['Created-By'];
  return {
    runtime: 'python',
    model: {
      modelName: info['Model-Name'],
      handler: info.Service,
      ...(info.Description !== undefined && { description: info.Description }),
      modelVersion: 'snapshot',
      extensions,
    },
    ...(typeof mxnet === 'number' && { engine: { engineName: 'MXNet', engineVersion: javaDoubleToString(mxnet) } }),
    ...(legacy.License !== undefined && { license: legacy.License }),
    modelServerVersion: MMS_MANIFEST_VERSION,
    ...(legacy['Model-Archive-Description'] !== undefined && { description: legacy['Model-Archive-Description'] }),
    implementationVersion: MMS_MANIFEST_VERSION,
    specificationVersion: '0.1',
    ...(createdBy !== undefined && {
      publisher: {
        ...(createdBy.Author !== undefined && { author: createdBy.Author }),
        ...(createdBy['Author-Email'] !== undefined && { email: createdBy['Author-Email'] }),
      },
    }),
  };
}
