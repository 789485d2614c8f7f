import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { ModelArchiveError } from '@model-archiver/core/read';
import type { CommandModule } from 'yargs';

import { exitCodeFor } from '../exit-codes.js';
import type { CommandContext } from '../io.js';
import { displayPath } from '../output/format.js';
import { renderVerifyText } from '../output/verify-text.js';

/** Reads a PEM key file for `verify` and `sign`; a file that cannot be read is `KEY_INVALID`. */
export async function readKeyFile(path: string, cwd: string): Promise<string> {
  const absolute = resolve(cwd, path);
  try {
    return await readFile(absolute, 'utf8');
  } catch (cause) {
    throw new ModelArchiveError('KEY_INVALID', `Cannot read key file ${path}`, { cause, details: { path: absolute } });
  }
}

/** Flags of `verify`. */
interface VerifyFlags {
  archive: string;
  'public-key'?: string;
  'require-signature': boolean;
  strict: boolean;
  json: boolean;
}

/**
 * `model-archiver verify <archive>`: recomputes every SHA-256 and size against the integrity record and checks the
 * signature (`verifyArchive`). Exit 1 on a mismatch or bad signature; an archive without a record (the reference
 * tools make none) exits 0 with a note unless `--strict`.
 */
export const verifyCommand = (context: CommandContext): CommandModule<object, VerifyFlags> => ({
  command: 'verify <archive>',
  describe: 'Check every entry against the integrity record and the signature',
  builder: (yargs) =>
    yargs
      .positional('archive', { type: 'string', demandOption: true, describe: 'Archive file or model folder' })
      .options({
        'public-key': { type: 'string', describe: 'Trusted Ed25519 public key (SPKI PEM): the signature must be by this key' },
        'require-signature': { type: 'boolean', default: false, describe: 'Fail unless signed by --public-key (SIGNATURE_MISSING)' },
        strict: { type: 'boolean', default: false, describe: 'Fail when the archive has no integrity record (INTEGRITY_MISSING)' },
        json: { type: 'boolean', default: false, describe: 'Print the report as JSON on stdout' },
      })
      .example('$0 verify model.mar', 'integrity only')
      .example('$0 verify model.mar --public-key signer.pub.pem --require-signature', 'integrity and a trusted signature'),
  handler: async (argv) => {
    const { io } = context;
    if (argv['require-signature'] && argv['public-key'] === undefined) {
      throw new ModelArchiveError('INVALID_OPTION', '--require-signature needs --public-key (the key the signature must be made with)', {
        details: { option: 'require-signature' },
      });
    }
    const publicKey = argv['public-key'] === undefined ? undefined : await readKeyFile(argv['public-key'], io.cwd);
    const { verificationError, verifyArchive } = await import('@model-archiver/core');
    const report = await verifyArchive(resolve(io.cwd, argv.archive), {
      ...(publicKey === undefined ? {} : { publicKey }),
      requireSignature: argv['require-signature'],
      requireIntegrity: argv.strict,
      signal: io.signal,
    });
    const error = verificationError(report);
    if (argv.json) {
      const failure = error === undefined ? {} : { error: error.toJSON(), exitCode: exitCodeFor[error.code] };
      io.stdout.write(`${JSON.stringify({ ...report, ...failure }, null, 2)}\n`);
    } else {
      for (const warning of report.warnings) io.stderr.write(`model-archiver: warning: ${warning}\n`);
      io.stdout.write(renderVerifyText(report, displayPath(report.path, io.cwd)));
      if (error !== undefined) io.stderr.write(`model-archiver: error ${error.code}: ${error.message}\n`);
    }
    if (error !== undefined) context.setExitCode(exitCodeFor[error.code]);
  },
});
