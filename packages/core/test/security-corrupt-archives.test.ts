import { describeHostileCases } from './hostile-suite.js';

describeHostileCases(
  'Damaged and unsupported archives: truncation, CRC, corruption, encryption, methods, multi-disk',
  ['ARCHIVE_TRUNCATED', 'ARCHIVE_CORRUPT', 'ENTRY_CRC_MISMATCH', 'ENTRY_ENCRYPTED', 'ENTRY_UNSUPPORTED_METHOD', 'ARCHIVE_MULTI_DISK', 'ARCHIVE_FORMAT_UNKNOWN', 'MANIFEST_MISSING', 'MANIFEST_INVALID'],
);
