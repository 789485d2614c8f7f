import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { ModelArchiveError } from '@model-archiver/core/read';
import type { Argv, CommandModule } from 'yargs';

import { exitCodeFor } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { displayPath } from '../output/format.js';
import { renderVerifyText } from '../output/verify-text.js';
import type { FlagsOf, OptionTable } from './option-table.js';

/** Reads a PEM key file for `verify` and `sign`; a file that cannot be read is `KEY_INVALID`. */
export async function readKeyFile(path: string, cwd: string): Promise<string> {
  const absolute = resolve(cwd, path);
  try {
    return await readFile(absolute, 'utf8');
  } catch (cause) {
    throw new ModelArchiveError('KEY_INVALID', `Cannot read key file ${path}`, { cause, details: { path: absolute } });
  }
}

/** The positional argument and flags of `verify` (its yargs builder and the direct path both use these). */
export const VERIFY_TABLE = {
  positionals: {
    archive: { type: 'string', demandOption: true, describe: 'Archive file or model folder' },
  },
  options: {
    'public-key': { type: 'string', describe: 'Trusted Ed25519 public key (SPKI PEM): the signature must be by this key' },
    'require-signature': { type: 'boolean', describe: 'Fail unless signed by --public-key (SIGNATURE_MISSING); implied by --public-key' },
    strict: { type: 'boolean', default: false, describe: 'Fail when the archive has no integrity record (INTEGRITY_MISSING); the default now, kept for scripts' },
    'allow-unverified': {
      type: 'boolean',
      default: false,
      describe: 'Accept an archive without an integrity record (reference-tool archives) or, with --public-key, without a signature',
    },
    json: { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' },
  },
} as const satisfies OptionTable;

/** Flags of `verify`. */
export type VerifyFlags = FlagsOf<typeof VERIFY_TABLE>;

/** Runs `verify` on parsed flags: prints the report (text or `--json`) and sets exit code 1 when it fails. */
export async function runVerify(flags: VerifyFlags, context: CommandContext): Promise<void> {
  const { io } = context;
  if (flags.strict && flags['allow-unverified']) {
    throw new ModelArchiveError('INVALID_OPTION', '--strict and --allow-unverified contradict each other', { details: { option: 'allow-unverified' } });
  }
  if (flags['require-signature'] === true && flags['public-key'] === undefined) {
    throw new ModelArchiveError('INVALID_OPTION', '--require-signature needs --public-key (the key the signature must be made with)', {
      details: { option: 'require-signature' },
    });
  }
  const publicKey = flags['public-key'] === undefined ? undefined : await readKeyFile(flags['public-key'], io.cwd);
  const { verificationError, verifyArchive } = await import('@model-archiver/core/check');
  const report = await verifyArchive(resolve(io.cwd, flags.archive), {
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(flags['require-signature'] === undefined ? {} : { requireSignature: flags['require-signature'] }),
    allowUnverified: flags['allow-unverified'],
    signal: io.signal,
  });
  const error = verificationError(report);
  if (flags.json) {
    const failure = error === undefined ? {} : { error: error.toJSON(), exitCode: exitCodeFor[error.code] };
    io.stdout.write(`${JSON.stringify({ ...report, ...failure }, null, 2)}\n`);
  } else {
    for (const warning of report.warnings) io.stderr.write(`model-archiver: warning: ${warning}\n`);
    io.stdout.write(renderVerifyText(report, displayPath(report.path, io.cwd)));
    if (error !== undefined) io.stderr.write(`model-archiver: error ${error.code}: ${error.message}\n`);
  }
  if (error !== undefined) context.setExitCode(exitCodeFor[error.code]);
}

/**
 * `model-archiver verify <archive>`: recomputes every SHA-256 and size against the integrity record and checks the
 * signature (`verifyArchive`). Fails closed: exit 1 on a mismatch, a bad signature, an archive without a record (the
 * reference tools make none) and, with `--public-key`, an unsigned archive; `--allow-unverified` accepts the last two.
 */
export const verifyCommand = (context: CommandContext): CommandModule<object, VerifyFlags> => ({
  command: 'verify <archive>',
  describe: 'Check every entry against the integrity record and the signature',
  builder: (yargs): Argv<VerifyFlags> =>
    yargs
      .positional('archive', VERIFY_TABLE.positionals.archive)
      .options(VERIFY_TABLE.options)
      .example('$0 verify model.mar', 'integrity only')
      .example('$0 verify model.mar --public-key signer.pub.pem --require-signature', 'integrity and a trusted signature'),
  handler: (argv) => runVerify(argv, context),
});
