import { LEGACY_MANIFEST_PATH, MANIFEST_PATH, type ManifestFlavour } from '../vocabulary/manifest-flavours.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasAny = (json: Record<string, unknown>, keys: readonly string[]): boolean => keys.some((k) => Object.hasOwn(json, k));

/** Keys only the node flavour writes. */
const NODE_KEYS = ['manifestVersion'] as const;
/** Keys only TorchServe (0.2.0 and later) writes. */
const TORCHSERVE_KEYS = ['archiverVersion', 'createdOn'] as const;
/** Keys only MMS 1.0 writes. */
const MMS_KEYS = ['specificationVersion', 'modelServerVersion', 'implementationVersion'] as const;
/** Keys of the legacy MMS 0.x manifest. */
const LEGACY_KEYS = ['Model', 'Engine'] as const;

const normalisePath = (path: string): string => path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');

/**
 * Decides which flavour a parsed manifest is, first rule that matches:
 *
 * 1. `runtime` is `"node"`, or `manifestVersion` is present → `node`;
 * 2. `archiverVersion` or `createdOn` is present, or `runtime` is `"LSP"` → `torchserve`;
 * 3. `specificationVersion`, `modelServerVersion` or `implementationVersion` is present → `mms`;
 * 4. `Model` or `Engine` is present and the manifest was not read from `MAR-INF/MANIFEST.json` → `legacy-mms`;
 * 5. otherwise `legacy-mms` when it was read from the top-level `MANIFEST.json` (that is how MMS reads that file),
 *    else `mms` (the MMS and TorchServe readers default every version field, so a bare `{runtime, model}` is MMS).
 *
 * Never throws: a value that is not an object gets a flavour by the path rule, and its schema then reports it.
 *
 * @param json the parsed JSON value
 * @param manifestPath archive path it was read from (`MAR-INF/MANIFEST.json` or `MANIFEST.json`), when known
 * @example
 * detectFlavour({ createdOn: '24/11/2026 08:54:37', runtime: 'python', model: {} }); // 'torchserve'
 */
export function detectFlavour(json: unknown, manifestPath?: string): ManifestFlavour {
  const path = manifestPath === undefined ? undefined : normalisePath(manifestPath);
  if (isRecord(json)) {
    if (json['runtime'] === 'node' || hasAny(json, NODE_KEYS)) return 'node';
    if (json['runtime'] === 'LSP' || hasAny(json, TORCHSERVE_KEYS)) return 'torchserve';
    if (hasAny(json, MMS_KEYS)) return 'mms';
    if (path !== MANIFEST_PATH && hasAny(json, LEGACY_KEYS)) return 'legacy-mms';
  }
  return path === LEGACY_MANIFEST_PATH ? 'legacy-mms' : 'mms';
}
