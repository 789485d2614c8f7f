import path from 'node:path';
import { ModelArchiveError } from '../../errors.js';
import { ARCHIVE_FORMATS, ARCHIVE_FORMAT_TRAITS, isArchiveFormat, type ArchiveFormat } from '../../vocabulary/archive-formats.js';
import { COMPRESSION_MODES, checkCompressionLevel, isCompressionMode, type CompressionMode } from '../../vocabulary/compression.js';
import type { BuildOptions } from '../build-options.js';

/** Earliest time a zip entry can carry (DOS date epoch); also the default timestamp. */
export const ZIP_MIN_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
/** Latest time a zip entry can carry (DOS dates end in 2107; times have 2-second steps). */
export const ZIP_MAX_DATE = new Date(Date.UTC(2107, 11, 31, 23, 59, 58));

/** Output and encoding settings resolved from {@link BuildOptions}. */
export interface ResolvedSettings {
  cwd: string;
  format: ArchiveFormat;
  compression: CompressionMode;
  compressionLevel: number;
  exportPath: string;
  outputPath: string;
  timestamp: Date;
  force: boolean;
}

const invalid = (message: string, details: Record<string, unknown>): ModelArchiveError =>
  new ModelArchiveError('INVALID_OPTION', message, { details });

/**
 * Checks the format, compression, conflicting inputs and timestamp options and derives the output path.
 * The export folder is only resolved here; the writer creates it.
 */
export const resolveSettings = (options: BuildOptions, warnings: string[]): ResolvedSettings => {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const format = options.archiveFormat ?? 'default';
  if (!isArchiveFormat(format)) {
    throw invalid(`Unknown archive format '${String(format)}' (expected ${ARCHIVE_FORMATS.join(', ')})`, {
      option: 'archiveFormat',
      value: format,
      allowed: ARCHIVE_FORMATS,
    });
  }
  const compression = options.compression ?? 'auto';
  if (!isCompressionMode(compression)) {
    throw invalid(`Unknown compression mode '${String(compression)}' (expected ${COMPRESSION_MODES.join(', ')})`, {
      option: 'compression',
      value: compression,
      allowed: COMPRESSION_MODES,
    });
  }
  const compressionLevel = checkCompressionLevel(options.compressionLevel);
  if (options.modelPath !== undefined) {
    const conflicting = (['serializedFile', 'modelFile', 'extraFiles'] as const).filter(
      (key) => options[key] !== undefined,
    );
    if (conflicting.length > 0) {
      throw invalid(`modelPath archives a whole folder and cannot be combined with ${conflicting.join(', ')}`, {
        option: 'modelPath',
        conflicting,
      });
    }
  }
  const exportPath = path.resolve(cwd, options.exportPath ?? '.');
  const outputPath = path.join(exportPath, options.modelName + ARCHIVE_FORMAT_TRAITS[format].suffix);
  return {
    cwd,
    format,
    compression,
    compressionLevel,
    exportPath,
    outputPath,
    timestamp: resolveTimestamp(options, warnings),
    force: options.force ?? false,
  };
};

/**
 * Timestamp precedence: `options.timestamp`, then `SOURCE_DATE_EPOCH` (integer seconds), then 1980-01-01T00:00:00Z.
 * Values outside the zip range are clamped (with a warning) instead of crashing like the reference tools.
 */
export const resolveTimestamp = (options: BuildOptions, warnings: string[]): Date => {
  let timestamp: Date;
  let source: string;
  if (options.timestamp !== undefined) {
    if (!(options.timestamp instanceof Date) || Number.isNaN(options.timestamp.getTime())) {
      throw invalid('timestamp must be a valid Date', { option: 'timestamp', value: String(options.timestamp) });
    }
    timestamp = options.timestamp;
    source = 'timestamp';
  } else {
    const raw = (options.env ?? process.env).SOURCE_DATE_EPOCH;
    if (raw === undefined || raw.trim() === '') return new Date(ZIP_MIN_DATE.getTime());
    if (!/^\d+$/.test(raw.trim())) {
      throw invalid(`SOURCE_DATE_EPOCH must be a non-negative integer number of seconds, got '${raw}'`, {
        option: 'SOURCE_DATE_EPOCH',
        value: raw,
      });
    }
    timestamp = new Date(Number(raw.trim()) * 1000);
    if (Number.isNaN(timestamp.getTime())) {
      throw invalid(`SOURCE_DATE_EPOCH is out of range: '${raw}'`, { option: 'SOURCE_DATE_EPOCH', value: raw });
    }
    source = 'SOURCE_DATE_EPOCH';
  }
  if (timestamp.getTime() < ZIP_MIN_DATE.getTime()) {
    warnings.push(`${source} ${timestamp.toISOString()} is before 1980 (earliest zip date); using 1980-01-01T00:00:00Z`);
    return new Date(ZIP_MIN_DATE.getTime());
  }
  if (timestamp.getTime() > ZIP_MAX_DATE.getTime()) {
    const latest = ZIP_MAX_DATE.toISOString();
    warnings.push(`${source} ${timestamp.toISOString()} is after the latest zip date; using ${latest}`);
    return new Date(ZIP_MAX_DATE.getTime());
  }
  return new Date(timestamp.getTime());
};
