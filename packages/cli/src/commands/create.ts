import {
  ARCHIVE_FORMATS,
  COMPRESSION_LEVELS,
  COMPRESSION_MODES,
  MODEL_NAME_PATTERN,
  RUNTIMES,
  WRITABLE_FLAVOURS,
} from '@model-archiver/core/read';
import type { Argv, CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';
import { printCreateResult } from '../output/create-output.js';
import { createProgressBar } from '../output/progress.js';
import { VERSION } from '../version.js';
import { toBuildOptions } from './create-options.js';
import type { CreateArgs } from './create-options.js';

/** Flags of `create`: what both reference archivers accept, plus this tool's own. */
interface CreateFlags extends CreateArgs {
  json: boolean;
  quiet: boolean;
  progress: boolean;
}

const REFERENCE = 'Reference archiver flags:';
const OURS = 'model-archiver flags:';
const OUTPUT = 'Output:';

/** argparse semantics for a single-valued flag given twice: the last one wins (yargs would make an array). */
const lastOf = <T>(value: T | T[]): T => (Array.isArray(value) ? (value.at(-1) as T) : value);

/** Declares the flags. Every value flag is a string so `-v 1.0` stays `"1.0"` and `--model-name 007` stays `"007"`. */
function builder(yargs: Argv): Argv<CreateFlags> {
  return yargs
    // yargs reserves `version` for its own flag: free it for the model version, re-add the tool's as --tool-version.
    .version(false)
    .options({
      'model-name': {
        type: 'string', coerce: lastOf, demandOption: true, group: REFERENCE,
        describe: `Model name (${MODEL_NAME_PATTERN.source}); the output is <export-path>/<model-name>.mar`,
      },
      handler: {
        type: 'string', coerce: lastOf, demandOption: true, group: REFERENCE,
        describe: 'Handler: built-in name, module[:function], or [dir/]file[.py|.mjs|.js|.cjs][:function]',
      },
      version: {
        alias: 'v', type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'Model version (TorchServe -v); required for the torchserve flavour',
      },
      'model-path': {
        type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'MMS: a folder whose whole tree is archived (MMS filters and .marignore apply)',
      },
      'serialized-file': {
        type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'TorchServe: weights file, stored at the archive root',
      },
      'model-file': {
        type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'TorchServe: model definition file, stored at the archive root',
      },
      'extra-files': {
        type: 'string', group: REFERENCE,
        describe: 'TorchServe: comma-separated files, folders or globs (repeatable); folders keep their layout',
      },
      'requirements-file': {
        alias: 'r', type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'TorchServe: requirements.txt, stored at the archive root',
      },
      'config-file': {
        alias: 'c', type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'TorchServe: model-config.yaml, stored at the archive root (-c is not MMS --convert)',
      },
      runtime: {
        type: 'string', coerce: lastOf, group: REFERENCE,
        choices: RUNTIMES,
        describe: 'Runtime written to the manifest (default from the flavour: python or node)',
      },
      'export-path': {
        type: 'string', coerce: lastOf, group: REFERENCE,
        describe: 'Output folder (default: current folder; created if missing)',
      },
      'archive-format': {
        type: 'string', coerce: lastOf, group: REFERENCE,
        choices: ARCHIVE_FORMATS,
        describe: 'default = .mar zip, zip-store = .mar uncompressed, tgz = .tar.gz, no-archive = folder',
      },
      force: { alias: 'f', type: 'boolean', group: REFERENCE, describe: 'Replace an existing output (atomically)' },
      convert: { type: 'boolean', hidden: true, describe: 'MMS ONNX-to-MXNet conversion: not supported' },
      flavour: {
        type: 'string', coerce: lastOf, group: OURS,
        choices: WRITABLE_FLAVOURS,
        describe: 'Manifest flavour to write (default: inferred, and the reason is printed)',
      },
      'flatten-extra-files': {
        type: 'boolean', group: OURS,
        describe: "Put extra folders' children at the archive root like TorchServe (collisions still fail)",
      },
      'ignore-file': {
        type: 'string', coerce: lastOf, group: OURS,
        describe: 'Extra ignore file (gitignore syntax) besides <model-path>/.marignore; --no-ignore-file skips both',
      },
      timestamp: {
        type: 'string', coerce: lastOf, group: OURS,
        describe: "Entry time: ISO-8601 date, epoch seconds or 'now' (default SOURCE_DATE_EPOCH, else 1980-01-01)",
      },
      compression: {
        type: 'string', coerce: lastOf, group: OURS,
        choices: COMPRESSION_MODES,
        describe: 'default format only: auto stores incompressible files and deflates the rest',
      },
      'compression-level': {
        type: 'number', coerce: lastOf, group: OURS,
        describe: `Deflate level ${COMPRESSION_LEVELS.min}-${COMPRESSION_LEVELS.max} (default ${COMPRESSION_LEVELS.default}, as the reference archivers)`,
      },
      description: {
        type: 'string', coerce: lastOf, group: OURS,
        describe: 'Model description written to the manifest',
      },
      json: {
        type: 'boolean', default: false, group: OUTPUT,
        describe: 'Print the result (or error) as JSON on stdout',
      },
      quiet: { alias: 'q', type: 'boolean', default: false, group: OUTPUT, describe: 'Print nothing on success' },
      progress: {
        type: 'boolean', default: true, group: OUTPUT,
        describe: 'Progress bar on a terminal for inputs over 64 MiB (--no-progress hides it)',
      },
    })
    .version('tool-version', 'Show the version of model-archiver', VERSION)
    .example('$0 --model-name x --handler svc:handle --export-path out', 'node flavour when svc.mjs is here')
    .example('$0 --model-name m --model-path model/ --handler handler:handle', 'MMS: archive a whole folder')
    .example(
      '$0 --model-name m -v 1.0 --serialized-file model.pt --handler handler.py --extra-files extra/',
      'TorchServe: weights, handler and a folder of extra files',
    ) as unknown as Argv<CreateFlags>;
}

/**
 * `model-archiver [create]`: the default command. Builds an archive with `buildArchive` and prints one summary line
 * (or JSON). Errors are thrown and rendered by `main()`.
 */
export const createCommand = (context: CommandContext): CommandModule<object, CreateFlags> => ({
  command: ['create', '$0'],
  describe: 'Create a model archive (.mar, .tar.gz or folder) with the flags of MMS or TorchServe model-archiver',
  builder,
  handler: async (argv) => {
    const { io } = context;
    const options = toBuildOptions(argv, { cwd: io.cwd, env: io.env, signal: io.signal });
    const { buildArchive } = await import('@model-archiver/core');
    const showProgress = argv.progress && !argv.quiet && !argv.json && io.stderr.isTTY === true;
    const bar = showProgress ? createProgressBar(io.stderr) : undefined;
    if (bar !== undefined) options.onProgress = (progress) => bar.update(progress);
    try {
      const result = await buildArchive(options);
      bar?.clear();
      printCreateResult(result, io, { json: argv.json, quiet: argv.quiet });
    } finally {
      bar?.clear();
    }
  },
});
