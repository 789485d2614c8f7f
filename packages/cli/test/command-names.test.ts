import { describe, expect, it } from 'vitest';

import { COMMAND_NAMES, DIRECT_COMMAND_NAMES } from '../src/command-names.js';
import { commandModules } from '../src/commands/index.js';
import type { CommandContext } from '../src/io.js';

describe('COMMAND_NAMES', () => {
  it('lists every command module by its first word, then completion', () => {
    const context = { io: {}, setExitCode: () => undefined } as unknown as CommandContext;
    const names = commandModules
      .flatMap((make) => [make(context).command ?? []].flat())
      .map((command) => command.split(' ')[0] ?? '')
      .filter((name) => name !== '$0');
    expect(COMMAND_NAMES).toEqual([...names, 'completion']);
  });

  it('lists the direct path’s commands among them', () => {
    expect(DIRECT_COMMAND_NAMES.filter((name) => COMMAND_NAMES.includes(name))).toEqual([...DIRECT_COMMAND_NAMES]);
  });
});
