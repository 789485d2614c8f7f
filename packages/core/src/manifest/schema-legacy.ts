import { z } from 'zod';

/** MMS 0.x exporters wrote version numbers as JSON numbers (`0.1`); Gson reads them into String fields. */
const versionLike = (description: string) => z.union([z.string(), z.number()]).optional().describe(description);

/** The `Model` object of a legacy MMS 0.x manifest. */
export const LegacyMmsModelSchema = z
  .looseObject({
    Parameters: z.string().optional().describe('MXNet parameters file'),
    Symbol: z.string().optional().describe('MXNet symbol file'),
    Description: z.string().optional().describe('Free-text description of the model'),
    'Model-Name': z.string().min(1).describe('Model name'),
    Service: z.string().min(1).describe('Service module file (becomes `model.handler`)'),
  })
  .describe('The model and its service file');

/** The `Created-By` object of a legacy MMS 0.x manifest. */
export const LegacyMmsCreatedBySchema = z
  .looseObject({
    Author: z.string().optional().describe('Author name'),
    'Author-Email': z.string().optional().describe('Author e-mail'),
  })
  .describe('Who created the archive');

/**
 * Top-level `MANIFEST.json` of MMS 0.x `.model` archives (read only). MMS migrates it in memory
 * (`LegacyManifest.migrate()`, see {@link migrateLegacyManifest}); `Model`, `Model-Name` and `Service` are required
 * because the migrated manifest must pass MMS `validate()`. Unknown keys are accepted.
 */
export const LegacyMmsManifestSchema = z
  .looseObject({
    Engine: z.record(z.string(), z.unknown()).optional().describe('Engine map, e.g. {"MXNet": 0.12}'),
    'Model-Archive-Description': z.string().optional().describe('Free-text description of the archive'),
    License: z.string().optional().describe('License of the model'),
    'Model-Archive-Version': versionLike('Archive format version, e.g. 0.1'),
    'Model-Server': versionLike('Model server version, e.g. 0.1'),
    Model: LegacyMmsModelSchema,
    'Created-By': LegacyMmsCreatedBySchema.optional(),
  })
  .describe('Legacy MMS 0.x manifest (top-level MANIFEST.json, read only)');

/** A parsed legacy MMS 0.x manifest. */
export type LegacyMmsManifest = z.output<typeof LegacyMmsManifestSchema>;
/** Input shape of {@link LegacyMmsManifestSchema}. */
export type LegacyMmsManifestInput = z.input<typeof LegacyMmsManifestSchema>;
