import type { z } from 'zod';

import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import { type LegacyMmsManifest, LegacyMmsManifestSchema } from './schema-legacy.js';
import { type MmsManifest, MmsManifestSchema } from './schema-mms.js';
import { type NodeManifest, NodeManifestSchema } from './schema-node.js';
import { type TorchServeManifest, TorchServeManifestSchema } from './schema-torchserve.js';

/** The zod schema of each flavour. */
export const MANIFEST_SCHEMAS = {
  mms: MmsManifestSchema,
  torchserve: TorchServeManifestSchema,
  node: NodeManifestSchema,
  'legacy-mms': LegacyMmsManifestSchema,
} as const satisfies Record<ManifestFlavour, z.ZodType>;

/** The parsed manifest type of each flavour. */
export interface ManifestByFlavour {
  mms: MmsManifest;
  torchserve: TorchServeManifest;
  node: NodeManifest;
  'legacy-mms': LegacyMmsManifest;
}

/** A validated manifest with its flavour (a discriminated union on `flavour`). */
export type ParsedManifest = {
  [F in ManifestFlavour]: { flavour: F; manifest: ManifestByFlavour[F] };
}[ManifestFlavour];

/** Any manifest this project reads. */
export type AnyManifest = ManifestByFlavour[ManifestFlavour];
