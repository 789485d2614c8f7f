import { resolve } from 'node:path';

import type { Argv, CommandModule } from 'yargs';

import { exitCodeFor } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { displayPath } from '../output/format.js';
import type { FlagsOf, OptionTable } from './option-table.js';

/** The positional argument and flags of `inspect` (its yargs builder and the direct path both use these). */
export const INSPECT_TABLE = {
  positionals: {
    archive: { type: 'string', demandOption: true, describe: 'Archive file or model folder' },
  },
  options: {
    json: { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' },
    onnx: { type: 'boolean', default: true, describe: 'Read ONNX models (--no-onnx skips them)' },
  },
} as const satisfies OptionTable;

/** Flags of `inspect`. */
export type InspectFlags = FlagsOf<typeof INSPECT_TABLE>;

/**
 * Runs `inspect` on parsed flags: prints the report (text or `--json`); a missing or invalid manifest sets exit code
 * 4 or 3 after the report.
 */
export async function runInspect(flags: InspectFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  // The text renderer needs core's file tree too, so it comes with it.
  const [{ inspectArchive }, { renderInspectText }] = await Promise.all([import('@model-archiver/core/check'), import('../output/inspect-text.js')]);
  const report = await inspectArchive(resolve(io.cwd, flags.archive), { onnx: flags.onnx, signal: io.signal });
  if (!flags.json) for (const warning of report.warnings) io.stderr.write(`model-archiver: warning: ${warning}\n`);
  // The report is printed whole; a missing or invalid manifest then sets its exit code (4 or 3): no model archive.
  const manifestCode = report.manifestError?.code;
  const exitCode = manifestCode === 'MANIFEST_INVALID' || manifestCode === 'MANIFEST_MISSING' ? exitCodeFor[manifestCode] : undefined;
  if (flags.json) io.stdout.write(`${JSON.stringify({ ok: exitCode === undefined, ...report, ...(exitCode === undefined ? {} : { exitCode }) }, null, 2)}\n`);
  else io.stdout.write(renderInspectText(report, displayPath(report.path, io.cwd)));
  if (exitCode !== undefined) context.setExitCode(exitCode);
}

/**
 * `model-archiver inspect <archive>`: flavour, manifest, file tree with sizes, compression and digests, and the ONNX
 * models' inputs, outputs and opsets (`inspectArchive`). `--json` prints the report for machines.
 */
export const inspectCommand = (context: CommandContext): CommandModule<object, InspectFlags> => ({
  command: 'inspect <archive>',
  describe: 'Show the manifest, files, digests and ONNX inputs/outputs of an archive (.mar, .tar.gz or folder)',
  builder: (yargs): Argv<InspectFlags> =>
    yargs
      .positional('archive', INSPECT_TABLE.positionals.archive)
      .options(INSPECT_TABLE.options)
      .example('$0 inspect model.mar', 'human-readable summary')
      .example('$0 inspect model.mar --json | jq .onnx', 'ONNX inputs and outputs for scripts'),
  handler: (argv) => runInspect(argv, context),
});
