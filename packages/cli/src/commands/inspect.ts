import { resolve } from 'node:path';

import type { CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';
import { displayPath } from '../output/format.js';

/** Flags of `inspect`. */
interface InspectFlags {
  archive: string;
  json: boolean;
  onnx: boolean;
}

/**
 * `model-archiver inspect <archive>`: flavour, manifest, file tree with sizes, compression and digests, and the ONNX
 * models' inputs, outputs and opsets (`inspectArchive`). `--json` prints the report for machines.
 */
export const inspectCommand = (context: CommandContext): CommandModule<object, InspectFlags> => ({
  command: 'inspect <archive>',
  describe: 'Show the manifest, files, digests and ONNX inputs/outputs of an archive (.mar, .tar.gz or folder)',
  builder: (yargs) =>
    yargs
      .positional('archive', { type: 'string', demandOption: true, describe: 'Archive file or model folder' })
      .options({
        json: { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' },
        onnx: { type: 'boolean', default: true, describe: 'Read ONNX models (--no-onnx skips them)' },
      })
      .example('$0 inspect model.mar', 'human-readable summary')
      .example('$0 inspect model.mar --json | jq .onnx', 'ONNX inputs and outputs for scripts'),
  handler: async (argv) => {
    const { io } = context;
    // The text renderer needs core's file tree too, so it comes with it.
    const [{ inspectArchive }, { renderInspectText }] = await Promise.all([
      import('@model-archiver/core'),
      import('../output/inspect-text.js'),
    ]);
    const report = await inspectArchive(resolve(io.cwd, argv.archive), { onnx: argv.onnx, signal: io.signal });
    if (!argv.json) for (const warning of report.warnings) io.stderr.write(`model-archiver: warning: ${warning}\n`);
    if (argv.json) io.stdout.write(`${JSON.stringify({ ok: true, ...report }, null, 2)}\n`);
    else io.stdout.write(renderInspectText(report, displayPath(report.path, io.cwd)));
  },
});
