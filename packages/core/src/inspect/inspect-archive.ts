import { isModelArchiveError } from '../errors.js';
import { parseIntegrityRecordLazily, parseSignatureLazily } from '../integrity/parse-lazily.js';
import { INTEGRITY_PATH, SIGNATURE_PATH } from '../integrity/paths.js';
import type { ManifestFlavour } from '../vocabulary/manifest-flavours.js';
import type { ArchiveEntryInfo, ContainerFormat, ModelArchive, ReadLimits } from '../read/archive-types.js';
import { archiveWarnings } from '../read/archive-warnings.js';
import { withArchive } from '../verify/with-archive.js';
import type { ArchiveSource } from '../verify/with-archive.js';
import { readOnnxInfo } from './onnx-info.js';
import type { OnnxModelInfo } from './onnx-info.js';

/** Options of {@link inspectArchive}. */
export interface InspectOptions {
  /** Read the metadata of `.onnx` entries (default true). */
  onnx?: boolean;
  /** Larger `.onnx` entries are listed but not read (default 512 MiB). */
  maxOnnxBytes?: number;
  /** Read limits when `source` is a path. */
  limits?: Partial<ReadLimits>;
  /** Cancels reading (`ABORTED`) when `source` is a path. */
  signal?: AbortSignal;
}

/** A coded problem found while inspecting (the archive still opened). */
export interface InspectProblem {
  code: string;
  message: string;
  details?: Readonly<Record<string, unknown>>;
}

/** One entry as `inspect` shows it. */
export interface InspectedEntry {
  path: string;
  type: ArchiveEntryInfo['type'];
  size: number;
  compressedSize: number;
  method: ArchiveEntryInfo['method'];
  /** CRC-32 as 8 hex digits (zip). */
  crc32?: string;
  /** SHA-256 from the integrity record (not recomputed: `verify` does that). */
  sha256?: string;
  mode?: number;
  /** ISO-8601. */
  mtime?: string;
  linkTarget?: string;
  dataDescriptor?: boolean;
}

/** One `.onnx` entry: its metadata, or why it was not read. */
export interface InspectedOnnxModel {
  path: string;
  info?: OnnxModelInfo;
  error?: InspectProblem;
  /** Why it was not read (too large, `onnx: false`). */
  skipped?: string;
}

/** Everything `inspect` shows, JSON-serialisable. */
export interface InspectReport {
  path: string;
  format: ContainerFormat;
  /** tgz: the root folder stripped from entry paths. */
  root?: string;
  archiveSize: number;
  /** Sum of uncompressed entry sizes. */
  totalSize: number;
  entryCount: number;
  flavour?: ManifestFlavour;
  manifestPath?: string;
  manifest?: Record<string, unknown>;
  /** Set when the manifest is missing or invalid (`MANIFEST_MISSING` / `MANIFEST_INVALID`). */
  manifestError?: InspectProblem;
  entries: InspectedEntry[];
  integrity: {
    /** `MAR-INF/integrity.json` is present. */
    present: boolean;
    signed: boolean;
    keyId?: string;
    /** The record or signature is malformed. */
    error?: InspectProblem;
  };
  onnx: InspectedOnnxModel[];
  /** How the archive was read, when that needs saying (a duplicate manifest: the last copy is used). */
  warnings: string[];
}

const DEFAULT_MAX_ONNX_BYTES = 512 * 1024 * 1024;

const problem = (error: unknown): InspectProblem => {
  if (isModelArchiveError(error)) return { code: error.code, message: error.message, details: error.details };
  throw error;
};

function toInspected(entry: ArchiveEntryInfo, digests: ReadonlyMap<string, string>): InspectedEntry {
  const out: InspectedEntry = {
    path: entry.path,
    type: entry.type,
    size: entry.size,
    compressedSize: entry.compressedSize,
    method: entry.method,
  };
  if (entry.crc32 !== undefined) out.crc32 = (entry.crc32 >>> 0).toString(16).padStart(8, '0');
  const sha256 = digests.get(entry.path);
  if (sha256 !== undefined) out.sha256 = sha256;
  if (entry.mode !== undefined) out.mode = entry.mode;
  if (entry.mtime !== undefined && !Number.isNaN(entry.mtime.getTime())) out.mtime = entry.mtime.toISOString();
  if (entry.linkTarget !== undefined) out.linkTarget = entry.linkTarget;
  if (entry.dataDescriptor !== undefined) out.dataDescriptor = entry.dataDescriptor;
  return out;
}

async function readIntegrity(archive: ModelArchive, report: InspectReport): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  try {
    if (report.integrity.present) {
      const record = await parseIntegrityRecordLazily(await archive.readEntry(INTEGRITY_PATH));
      for (const file of record.files) digests.set(file.path, file.sha256);
    }
    if (report.integrity.signed) {
      report.integrity.keyId = (await parseSignatureLazily(await archive.readEntry(SIGNATURE_PATH))).keyId;
    }
  } catch (error) {
    report.integrity.error = problem(error);
  }
  return digests;
}

/** Reads the metadata of every `.onnx` entry (see {@link InspectOptions}); a model that does not parse gets `error`. */
export async function inspectOnnxModels(archive: ModelArchive, options: InspectOptions = {}): Promise<InspectedOnnxModel[]> {
  const max = options.maxOnnxBytes ?? DEFAULT_MAX_ONNX_BYTES;
  const models: InspectedOnnxModel[] = [];
  for (const entry of archive.entries) {
    if (entry.type !== 'file' || !entry.path.toLowerCase().endsWith('.onnx')) continue;
    if (options.onnx === false) {
      models.push({ path: entry.path, skipped: 'ONNX reading disabled' });
    } else if (entry.size > max) {
      models.push({ path: entry.path, skipped: `larger than ${max} bytes` });
    } else {
      try {
        models.push({ path: entry.path, info: readOnnxInfo(await archive.readEntry(entry.path)) });
      } catch (error) {
        models.push({ path: entry.path, error: problem(error) });
      }
    }
  }
  return models;
}

/**
 * Describes an opened archive: container, manifest and flavour, every entry with sizes, compression and digests,
 * and the inputs, outputs and opsets of its ONNX models. Reads no payload but the manifest, the integrity record
 * and `.onnx` entries. A missing or invalid manifest is reported in `manifestError`, not thrown.
 *
 * @example
 * const report = await inspectArchive('model.mar');
 * for (const model of report.onnx) console.log(model.path, model.info?.inputs);
 */
export function inspectArchive(source: ArchiveSource, options: InspectOptions = {}): Promise<InspectReport> {
  return withArchive(source, options.limits, (archive) => inspectOpened(archive, options), options.signal);
}

async function inspectOpened(archive: ModelArchive, options: InspectOptions): Promise<InspectReport> {
  const report: InspectReport = {
    path: archive.path,
    format: archive.format,
    archiveSize: archive.archiveSize,
    totalSize: archive.entries.reduce((sum, e) => sum + e.size, 0),
    entryCount: archive.entries.length,
    entries: [],
    integrity: {
      present: archive.entry(INTEGRITY_PATH) !== undefined,
      signed: archive.entry(SIGNATURE_PATH) !== undefined,
    },
    onnx: [],
    warnings: archiveWarnings(archive),
  };
  if (archive.root !== undefined) report.root = archive.root;
  try {
    const manifest = await archive.readManifest();
    report.flavour = manifest.flavour;
    report.manifestPath = manifest.path;
    report.manifest = manifest.manifest;
  } catch (error) {
    report.manifestError = problem(error);
  }
  const digests = await readIntegrity(archive, report);
  report.entries = archive.entries.map((entry) => toInspected(entry, digests));
  report.onnx = await inspectOnnxModels(archive, options);
  return report;
}
