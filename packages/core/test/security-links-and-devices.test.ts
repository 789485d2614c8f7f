import { describeHostileCases } from './hostile-suite.js';

describeHostileCases(
  'Links and special files: symlinks and hard links out of the target, devices and FIFOs',
  ['ENTRY_SYMLINK_ESCAPES', 'ENTRY_HARDLINK_ESCAPES', 'ENTRY_SPECIAL_FILE'],
);
