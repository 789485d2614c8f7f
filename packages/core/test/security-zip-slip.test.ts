import { describeHostileCases } from './hostile-suite.js';

describeHostileCases(
  'Zip slip: absolute, traversal, drive, backslash, control-character and over-long entry names',
  ['ENTRY_PATH_TRAVERSAL', 'ENTRY_ABSOLUTE_PATH', 'ENTRY_DRIVE_PATH', 'ENTRY_BACKSLASH_PATH', 'ENTRY_NUL_BYTE', 'LIMIT_PATH_LENGTH'],
);
