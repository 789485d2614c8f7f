import { describeHostileCases } from './hostile-suite.js';

describeHostileCases(
  'Zip bombs: compression ratio, total size, entry count and sizes that lie',
  ['LIMIT_COMPRESSION_RATIO', 'LIMIT_TOTAL_SIZE', 'LIMIT_ENTRY_COUNT', 'ENTRY_SIZE_MISMATCH', 'ENTRY_OVERLAP'],
);
