import { resolve } from 'node:path';

import type { CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';
import { displayPath } from '../output/format.js';
import { readKeyFile } from './verify.js';

/** Flags of `sign`. */
interface SignFlags {
  archive: string;
  key: string;
  output?: string;
  force: boolean;
  json: boolean;
}

/**
 * `model-archiver sign <archive> --key <private.pem>`: adds `MAR-INF/signature.json`, a detached Ed25519 signature over
 * the integrity record, after checking the entries against it (`signArchive`). Rewrites the archive atomically.
 */
export const signCommand = (context: CommandContext): CommandModule<object, SignFlags> => ({
  command: 'sign <archive>',
  describe: 'Sign the integrity record of an archive with an Ed25519 private key',
  builder: (yargs) =>
    yargs
      .positional('archive', { type: 'string', demandOption: true, describe: 'Archive file or model folder (made by model-archiver)' })
      .options({
        key: { type: 'string', demandOption: true, describe: 'Ed25519 private key, PKCS#8 PEM (openssl genpkey -algorithm ed25519)' },
        output: { alias: 'o', type: 'string', describe: 'Write the signed archive here instead of replacing the input' },
        force: { alias: 'f', type: 'boolean', default: false, describe: 'Replace an existing --output' },
        json: { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' },
      })
      .example('$0 sign model.mar --key signer.pem', 'sign in place')
      .example('openssl pkey -in signer.pem -pubout -out signer.pub.pem', 'the public key to give to verifiers'),
  handler: async (argv) => {
    const { io } = context;
    const privateKey = await readKeyFile(argv.key, io.cwd);
    const { signArchive } = await import('@model-archiver/core');
    const result = await signArchive(resolve(io.cwd, argv.archive), {
      privateKey,
      ...(argv.output === undefined ? {} : { output: resolve(io.cwd, argv.output) }),
      force: argv.force,
      signal: io.signal,
    });
    if (argv.json) {
      io.stdout.write(`${JSON.stringify({ ok: true, path: result.path, keyId: result.keyId, replacedSignature: result.replacedSignature, signature: result.signature }, null, 2)}\n`);
    } else {
      const verb = result.replacedSignature ? 'Re-signed' : 'Signed';
      io.stdout.write(`${verb} ${displayPath(result.path, io.cwd)} with key ${result.keyId}\n`);
    }
  },
});
