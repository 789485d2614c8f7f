/**
 * Manifest flavours:
 * - `mms`: Multi Model Server / MXNet Model Server 1.0 (`model-archiver` 1.0.4).
 * - `torchserve`: TorchServe (`torch-model-archiver` 0.12.0).
 * - `node`: this project's flavour, for archives run by `@model-archiver/runtime` (JavaScript handlers).
 * - `legacy-mms`: MMS 0.x top-level `MANIFEST.json` (read only).
 */
export type ManifestFlavour = 'mms' | 'torchserve' | 'node' | 'legacy-mms';

/** Values of the manifest `runtime` field across flavours. */
export type Runtime = 'python' | 'python2' | 'python3' | 'LSP' | 'node';

/** Archive path of the manifest in every non-legacy flavour. */
export const MANIFEST_PATH = 'MAR-INF/MANIFEST.json';
/** Archive path of the legacy MMS 0.x manifest. */
export const LEGACY_MANIFEST_PATH = 'MANIFEST.json';
