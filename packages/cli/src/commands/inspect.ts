import { ModelArchiveError } from '@model-archiver/core';
import type { CommandModule } from 'yargs';

import type { CommandContext } from '../io.js';

// PLACEHOLDER: replaced by the owner of this command. Must not survive to a commit that resolves its issue.
export const inspectCommand = (_context: CommandContext): CommandModule => ({
  command: 'inspect',
  describe: 'inspect (not yet built)',
  handler: () => {
    throw new ModelArchiveError('INTERNAL', 'inspect is not built yet');
  },
});
