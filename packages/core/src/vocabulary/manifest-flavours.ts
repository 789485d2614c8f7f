/**
 * Manifest flavours:
 * - `mms`: Multi Model Server / MXNet Model Server 1.0 (`model-archiver` 1.0.4).
 * - `torchserve`: TorchServe (`torch-model-archiver` 0.12.0).
 * - `node`: this project's flavour, for archives run by `@model-archiver/runtime` (JavaScript handlers).
 * - `legacy-mms`: MMS 0.x top-level `MANIFEST.json` (read only).
 */
export const MANIFEST_FLAVOURS = ['mms', 'torchserve', 'node', 'legacy-mms'] as const;

/** A manifest flavour (see {@link MANIFEST_FLAVOURS}). */
export type ManifestFlavour = (typeof MANIFEST_FLAVOURS)[number];

/** Flavours this project writes (all but the read-only legacy MMS 0.x one). */
export const WRITABLE_FLAVOURS = ['mms', 'torchserve', 'node'] as const satisfies readonly ManifestFlavour[];

/** A flavour this project writes. */
export type WritableFlavour = (typeof WRITABLE_FLAVOURS)[number];

/** True when `value` names a flavour this project writes. */
export const isWritableFlavour = (value: unknown): value is WritableFlavour =>
  (WRITABLE_FLAVOURS as readonly unknown[]).includes(value);

/** Archive path of the manifest in every non-legacy flavour. */
export const MANIFEST_PATH = 'MAR-INF/MANIFEST.json';
/** Archive path of the legacy MMS 0.x manifest. */
export const LEGACY_MANIFEST_PATH = 'MANIFEST.json';
