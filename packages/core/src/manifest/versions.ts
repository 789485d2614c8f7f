import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Version of `@model-archiver/core` (from its package.json; `../../package.json` from both `src/manifest` and
 * `dist/manifest`). Written as `archiverVersion` of node manifests unless the caller passes another value.
 */
export const ARCHIVER_VERSION: string = (require('../../package.json') as { version: string }).version;

/**
 * `archiverVersion` written into TorchServe manifests by default: the `torch-model-archiver` release whose output
 * this project reproduces. TorchServe never compares it (it only warns when it is missing).
 */
export const TORCHSERVE_ARCHIVER_VERSION = '0.12.0';

/** The constant version strings every MMS 1.0 manifest carries (`modelServerVersion`, `implementationVersion`, `specificationVersion`). */
export const MMS_MANIFEST_VERSION = '1.0';
