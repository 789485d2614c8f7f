import { z } from 'zod';

import { MODEL_NAME_PATTERN, MODEL_VERSION_MAX_LENGTH, MODEL_VERSION_PATTERN } from '../vocabulary/model-names.js';

/**
 * Field schemas shared by the manifest flavours. Each call returns a fresh schema so every use carries its own
 * description in the generated JSON Schema.
 */

/** `model.modelName`: the reference archivers' regex (the stricter creation-time checks live in `validateModelName`). */
export const modelNameField = (description: string) => z.string().regex(MODEL_NAME_PATTERN).describe(description);

/** `model.modelVersion`: URL-path-safe version (`validateModelVersion`). */
export const modelVersionField = (description: string) =>
  z.string().regex(MODEL_VERSION_PATTERN).max(MODEL_VERSION_MAX_LENGTH).describe(description);

/** `model.handler`: any non-empty string; its meaning depends on the flavour (docs/manifest.md "Handler strings"). */
export const handlerField = (description: string) => z.string().min(1).describe(description);

/** A file stored in the archive, named relative to the archive root (checked by the `fileReferencesAreSafe` rule). */
export const fileField = (description: string) => z.string().min(1).describe(description);

/** An open JSON object (`extensions`, `userData`-like maps). */
export const jsonObjectField = (description: string) => z.record(z.string(), z.unknown()).describe(description);
