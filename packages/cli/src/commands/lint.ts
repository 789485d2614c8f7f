import { isModelArchiveError, ModelArchiveError } from '@model-archiver/core/read';
import type { LintIssue } from '@model-archiver/core';
import type { Argv, CommandModule } from 'yargs';

import { exitCodeFor } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { LINT_FORMATS, lintFailed, renderLint } from '../output/lint-formats.js';
import type { LintFormat } from '../output/lint-formats.js';
import { loadRuntime, type Runtime } from '../load-runtime.js';
import type { FlagsOf, OptionTable } from './option-table.js';

/** The positional arguments and flags of `lint` (its yargs builder and the direct path both use these). */
export const LINT_TABLE = {
  positionals: {
    archives: { type: 'string', array: true, demandOption: true, describe: 'Archive files, model folders or globs' },
  },
  options: {
    format: { type: 'string', choices: LINT_FORMATS, default: 'text', describe: 'Output format' },
    json: { type: 'boolean', default: false, describe: 'Same as --format json' },
    'max-warnings': { type: 'number', describe: 'Fail when there are more warnings than this' },
    verify: { type: 'boolean', default: false, describe: 'Recompute every SHA-256 against the integrity record (reads all data)' },
    load: {
      type: 'boolean',
      default: false,
      describe: 'Also load the handler for real (node runtime, or Python handlers in a Python worker): import it and call initialize',
    },
    concurrency: { type: 'number', default: 4, describe: 'Archives checked at once' },
  },
} as const satisfies OptionTable;

/** Flags of `lint`. */
export type LintFlags = FlagsOf<typeof LINT_TABLE>;

/**
 * `--load`: loads the archive with `@model-archiver/runtime` (safe extraction, handler import, `initialize`), then
 * closes it. Imported only when asked for, so plain lint never pays for ONNX Runtime.
 */
async function loadHandler(archivePath: string, signal: AbortSignal): Promise<LintIssue[]> {
  let runtime: Runtime;
  try {
    runtime = await loadRuntime('lint --load');
  } catch (cause) {
    if (!isModelArchiveError(cause)) throw cause;
    return [{ message: cause.message, code: cause.code }];
  }
  try {
    // A missing integrity record is MA018's finding already; --load reports whether the handler loads.
    const model = await runtime.loadModel(archivePath, { signal, allowUnverified: true });
    await model.close();
    return [];
  } catch (error) {
    if (!isModelArchiveError(error)) throw error;
    if (error.code === 'ABORTED') throw error;
    return [{ message: error.message.split('\n')[0] ?? error.message, code: error.code }];
  }
}

/**
 * Runs `lint` on parsed flags: prints the report in the chosen format and sets exit code 1 on errors or more than
 * `--max-warnings` warnings.
 */
export async function runLint(flags: LintFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  const maxWarnings = flags['max-warnings'];
  if (maxWarnings !== undefined && (!Number.isInteger(maxWarnings) || maxWarnings < 0)) {
    throw new ModelArchiveError('INVALID_OPTION', '--max-warnings must be a whole number >= 0', { details: { option: 'max-warnings' } });
  }
  if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1) {
    throw new ModelArchiveError('INVALID_OPTION', '--concurrency must be a whole number >= 1', { details: { option: 'concurrency' } });
  }
  const format: LintFormat = flags.json ? 'json' : flags.format;
  const { lintArchives } = await import('@model-archiver/core/check');
  const report = await lintArchives(flags.archives, {
    cwd: io.cwd,
    verify: flags.verify,
    concurrency: flags.concurrency,
    signal: io.signal,
    ...(flags.load ? { loadHandler: (path: string) => loadHandler(path, io.signal) } : {}),
  });
  io.stdout.write(renderLint(format, report, { cwd: io.cwd, maxWarnings }));
  if (lintFailed(report, maxWarnings)) {
    if (format === 'text') {
      const why = report.errorCount > 0 ? `${report.errorCount} error(s)` : `${report.warningCount} warning(s), more than --max-warnings ${maxWarnings ?? ''}`;
      io.stderr.write(`model-archiver: error LINT_FAILED: ${why}\n`);
    }
    context.setExitCode(exitCodeFor.LINT_FAILED);
  }
}

/**
 * `model-archiver lint <archive|glob>...`: runs the lint rules (docs/lint-rules.md) on many archives concurrently
 * (`lintArchives`) and prints text, JSON, SARIF or GitHub annotations. Exit 1 on errors or more than
 * `--max-warnings` warnings.
 */
export const lintCommand = (context: CommandContext): CommandModule<object, LintFlags> => ({
  command: 'lint <archives..>',
  describe: 'Check archives for CI: manifest, files, handler, integrity, ONNX opset, zip layout',
  builder: (yargs): Argv<LintFlags> =>
    yargs
      .positional('archives', LINT_TABLE.positionals.archives)
      .options(LINT_TABLE.options)
      .example('$0 lint dist/*.mar', 'text report')
      .example("$0 lint 'models/**/*.mar' --format sarif > lint.sarif", 'for GitHub code scanning')
      .example('$0 lint model.mar --format github --max-warnings 0', 'annotations in a workflow; warnings fail too'),
  handler: (argv) => runLint(argv, context),
});
