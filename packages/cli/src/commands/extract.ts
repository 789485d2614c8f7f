import { basename, resolve } from 'node:path';

import {
  extractArchive,
  findModelNameProblem,
  manifestModel,
  ModelArchiveError,
  openArchive,
  stripArchiveSuffix,
  type ReadLimits,
} from '@model-archiver/core/read';
import type { CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';
import { displayPath, formatBytes } from '../output/format.js';

/** Flags of `extract`. */
interface ExtractFlags {
  archive: string;
  dir?: string;
  force: boolean;
  json: boolean;
  'max-size'?: string;
  'max-entries'?: number;
  'max-ratio'?: number;
  'verify-integrity': boolean;
  validate: boolean;
}

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `--max-size`: bytes, or a number with a binary unit (`512M`, `2G`, `1.5GiB`). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  const unit = m === null ? undefined : UNITS[(m[2] ?? '').toLowerCase()];
  if (m === null || unit === undefined || Number(m[1]) <= 0) {
    throw new ModelArchiveError('INVALID_OPTION', `--max-size must be a size such as 1048576, 512M or 2G, got ${JSON.stringify(text)}`, {
      details: { option: 'max-size', value: text },
    });
  }
  return Math.floor(Number(m[1]) * unit);
}

/**
 * Default target: `./<model name>` when the manifest names a model with a safe name (the model-name
 * rule, so a hostile manifest cannot point it elsewhere), else `./<archive name without its suffix>` (`stripArchiveSuffix`).
 */
async function defaultDir(archive: string, cwd: string, limits: Partial<ReadLimits>, signal: AbortSignal): Promise<string> {
  const fallback = stripArchiveSuffix(basename(archive)) || 'model';
  let name: string | undefined;
  try {
    const opened = await openArchive(archive, { limits, signal });
    try {
      const { modelName } = manifestModel(await opened.readManifest());
      if (findModelNameProblem(modelName) === undefined) name = modelName;
    } finally {
      await opened.close();
    }
  } catch {
    // The extraction itself reports what is wrong with the archive.
  }
  return resolve(cwd, name ?? fallback);
}

/**
 * `model-archiver extract <archive> [dir]`: safe extraction (docs/security.md) into a temporary sibling renamed into
 * place; an existing `dir` is kept unless `--force`.
 */
export const extractCommand = (context: CommandContext): CommandModule<object, ExtractFlags> => ({
  command: 'extract <archive> [dir]',
  describe: 'Unpack an archive (.mar, .tar.gz or folder) safely into a folder',
  builder: (yargs) =>
    yargs
      .positional('archive', { type: 'string', demandOption: true, describe: 'Archive file or model folder' })
      .positional('dir', { type: 'string', describe: 'Target folder (default: ./<model name>, else ./<archive name>)' })
      .options({
        force: { alias: 'f', type: 'boolean', default: false, describe: 'Replace the target folder if it exists' },
        json: { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' },
        'max-size': { type: 'string', describe: 'Refuse archives that expand past this size (default 64G)' },
        'max-entries': { type: 'number', describe: 'Refuse archives with more entries (default 100000)' },
        'max-ratio': { type: 'number', describe: 'Refuse entries over 1 MiB compressed more than this ratio (default 200)' },
        'verify-integrity': { type: 'boolean', default: false, describe: 'Check every file against MAR-INF/integrity.json while writing' },
        validate: { type: 'boolean', default: true, describe: 'Refuse an archive whose manifest is missing or invalid (--no-validate extracts it anyway)' },
      })
      .example('$0 extract model.mar', 'unpack into ./<model name>')
      .example('$0 extract model.tar.gz /srv/models/m --force', 'replace an existing folder'),
  handler: async (argv) => {
    const { io } = context;
    const limits: Partial<ReadLimits> = {};
    if (argv['max-size'] !== undefined) limits.maxTotalSize = parseSize(argv['max-size']);
    if (argv['max-entries'] !== undefined) limits.maxEntries = argv['max-entries'];
    if (argv['max-ratio'] !== undefined) limits.maxCompressionRatio = argv['max-ratio'];
    for (const [key, value] of Object.entries(limits)) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new ModelArchiveError('INVALID_OPTION', `Limit ${key} must be a positive number`, { details: { option: key, value } });
      }
    }
    const archive = resolve(io.cwd, argv.archive);
    const dest = argv.dir === undefined ? await defaultDir(archive, io.cwd, limits, io.signal) : resolve(io.cwd, argv.dir);
    const result = await extractArchive(archive, dest, {
      force: argv.force,
      limits,
      signal: io.signal,
      verifyIntegrity: argv['verify-integrity'],
      validateManifest: argv.validate,
    });
    if (argv.json) {
      io.stdout.write(`${JSON.stringify({ ok: true, archive, ...result }, null, 2)}\n`);
      return;
    }
    for (const warning of result.warnings) io.stderr.write(`model-archiver: warning: ${warning}\n`);
    const links = result.skipped.length === 0 ? '' : `; ${result.skipped.length} link(s) to nothing skipped`;
    const verified = result.verified ? ', integrity verified' : '';
    io.stdout.write(
      `Extracted ${result.files} file(s), ${formatBytes(result.bytes)}, from ${displayPath(archive, io.cwd)} into ${displayPath(result.dest, io.cwd)}${verified}${links}\n`,
    );
  },
});
