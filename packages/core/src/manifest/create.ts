import { ModelArchiveError } from '../errors.js';
import { formatIsoUtc, formatTorchServeDate } from './dates.js';
import type { WritableFlavour } from '../vocabulary/manifest-flavours.js';
import { RUNTIMES_BY_FLAVOUR, defaultRuntimeOf, isRuntimeOf, type Runtime } from '../vocabulary/runtimes.js';
import { validateModelName, validateModelVersion } from '../vocabulary/model-names.js';
import { parseManifest } from './parse.js';
import type { ManifestByFlavour } from './schemas.js';
import type { MmsManifest } from './schema-mms.js';
import { NODE_MANIFEST_VERSION, type NodeManifest } from './schema-node.js';
import type { TorchServeManifest } from './schema-torchserve.js';
import { ARCHIVER_VERSION, MMS_MANIFEST_VERSION, TORCHSERVE_ARCHIVER_VERSION } from './versions.js';

/** Flavours {@link createManifest} can write. */
export type WritableManifestFlavour = WritableFlavour;

/** Input of {@link createManifest}. Paths are the exact strings to store (the builder computes them). */
export interface CreateManifestInput {
  /** Flavour to write. */
  flavour: WritableManifestFlavour;
  /** Model name; checked with `validateModelName` (`MODEL_NAME_INVALID`). */
  modelName: string;
  /** Handler string, stored as given (the builder strips TorchServe paths to the basename). */
  handler: string;
  /** Runtime; default `python` (mms, torchserve) or `node`; must be one the flavour allows (`INVALID_OPTION`). */
  runtime?: Runtime;
  /** Model version; required for torchserve (`INVALID_OPTION`), default `"1.0"` for node, optional for mms. */
  version?: string;
  /** torchserve/node: `model.serializedFile`. */
  serializedFile?: string;
  /** torchserve/node: `model.modelFile`. */
  modelFile?: string;
  /** torchserve/node: `model.requirementsFile`. */
  requirementsFile?: string;
  /** torchserve/node: `model.configFile`. */
  configFile?: string;
  /** `model.description`. */
  description?: string;
  /** Creation time (torchserve: `"%d/%m/%Y %H:%M:%S"` in UTC; node: ISO-8601 UTC); unused by mms. */
  createdOn: Date;
  /** `archiverVersion`: default `"0.12.0"` (torchserve) or this package's version (node); unused by mms. */
  archiverVersion?: string;
}

const TORCHSERVE_ONLY = ['serializedFile', 'modelFile', 'requirementsFile', 'configFile'] as const;

function checkInput(input: CreateManifestInput): Runtime {
  const { flavour } = input;
  if (!Object.hasOwn(RUNTIMES_BY_FLAVOUR, flavour)) {
    throw new ModelArchiveError('INVALID_OPTION', `Cannot create a manifest of flavour ${JSON.stringify(flavour)}`, {
      details: { flavour },
    });
  }
  validateModelName(input.modelName);
  if (input.version !== undefined) validateModelVersion(input.version);
  if (input.handler.trim() === '') {
    throw new ModelArchiveError('INVALID_OPTION', 'The handler is empty', { details: { handler: input.handler } });
  }
  const runtime = input.runtime ?? defaultRuntimeOf(flavour);
  if (!isRuntimeOf(flavour, runtime)) {
    throw new ModelArchiveError(
      'INVALID_OPTION',
      `Runtime ${JSON.stringify(runtime)} is not valid for the ${flavour} flavour (allowed: ${RUNTIMES_BY_FLAVOUR[flavour].join(', ')})`,
      { details: { flavour, runtime, allowed: RUNTIMES_BY_FLAVOUR[flavour] } },
    );
  }
  if (flavour === 'mms') {
    const given = TORCHSERVE_ONLY.filter((key) => input[key] !== undefined);
    if (given.length > 0) {
      throw new ModelArchiveError('INVALID_OPTION', `The mms manifest has no field for ${given.join(', ')}`, {
        details: { flavour, options: given },
      });
    }
  }
  if (flavour === 'torchserve' && input.version === undefined) {
    throw new ModelArchiveError('INVALID_OPTION', 'A model version is required for the torchserve flavour', {
      details: { flavour },
    });
  }
  return runtime;
}

function createMms(input: CreateManifestInput, runtime: Runtime): MmsManifest {
  return {
    runtime: runtime as MmsManifest['runtime'],
    model: {
      modelName: input.modelName,
      handler: input.handler,
      ...(input.description !== undefined && { description: input.description }),
      ...(input.version !== undefined && { modelVersion: input.version }),
    },
    modelServerVersion: MMS_MANIFEST_VERSION,
    implementationVersion: MMS_MANIFEST_VERSION,
    specificationVersion: MMS_MANIFEST_VERSION,
  };
}

/** The model object shared by torchserve and node, in TorchServe's key order; description last. */
function filesModel(input: CreateManifestInput, version: string) {
  return {
    modelName: input.modelName,
    ...(input.serializedFile !== undefined && { serializedFile: input.serializedFile }),
    handler: input.handler,
    ...(input.modelFile !== undefined && { modelFile: input.modelFile }),
    modelVersion: version,
    ...(input.requirementsFile !== undefined && { requirementsFile: input.requirementsFile }),
    ...(input.configFile !== undefined && { configFile: input.configFile }),
    ...(input.description !== undefined && { description: input.description }),
  };
}

function createTorchServe(input: CreateManifestInput, runtime: Runtime): TorchServeManifest {
  return {
    createdOn: formatTorchServeDate(input.createdOn),
    runtime: runtime as TorchServeManifest['runtime'],
    model: filesModel(input, input.version as string),
    archiverVersion: input.archiverVersion ?? TORCHSERVE_ARCHIVER_VERSION,
  };
}

function createNode(input: CreateManifestInput): NodeManifest {
  return {
    manifestVersion: NODE_MANIFEST_VERSION,
    createdOn: formatIsoUtc(input.createdOn),
    runtime: 'node',
    model: filesModel(input, input.version ?? '1.0'),
    archiverVersion: input.archiverVersion ?? ARCHIVER_VERSION,
  };
}

/**
 * Builds a manifest object with the keys in the order the reference archivers write them (docs/manifest.md):
 * - mms: `runtime`, `model{modelName, handler[, description][, modelVersion]}`, `modelServerVersion`,
 *   `implementationVersion`, `specificationVersion` (all `"1.0"`);
 * - torchserve: `createdOn`, `runtime`, `model{modelName[, serializedFile], handler[, modelFile], modelVersion
 *   [, requirementsFile][, configFile][, description]}`, `archiverVersion`;
 * - node: `manifestVersion`, then as torchserve with an ISO-8601 UTC `createdOn`.
 *
 * The result is validated with the flavour's schema and rules. Throws `MODEL_NAME_INVALID`,
 * `MODEL_VERSION_INVALID`, `INVALID_OPTION` (flavour/runtime mismatch, missing torchserve version, TorchServe-only
 * files for mms, bad date) or `MANIFEST_INVALID` (e.g. a file reference with `..`).
 *
 * @example
 * const manifest = createManifest({ flavour: 'mms', modelName: 'mymodel', handler: 'handler:handle', createdOn: new Date(0) });
 * serializeManifest(manifest).length; // 201, byte-identical to MMS model-archiver 1.0.4
 */
export function createManifest<F extends WritableManifestFlavour>(
  input: CreateManifestInput & { flavour: F },
): ManifestByFlavour[F] {
  const runtime = checkInput(input);
  const manifest =
    input.flavour === 'mms'
      ? createMms(input, runtime)
      : input.flavour === 'torchserve'
        ? createTorchServe(input, runtime)
        : createNode(input);
  parseManifest(manifest, { flavour: input.flavour });
  return manifest as ManifestByFlavour[F];
}
