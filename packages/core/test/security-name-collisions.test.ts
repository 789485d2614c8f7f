import { describeHostileCases } from './hostile-suite.js';

describeHostileCases(
  'Name collisions: duplicates, case folding and Unicode normalisation',
  ['ENTRY_DUPLICATE', 'ENTRY_CASE_COLLISION', 'ENTRY_UNICODE_COLLISION'],
);
