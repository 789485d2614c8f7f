import type * as Crypto from 'node:crypto';

/**
 * `node:crypto`, loaded on first use instead of at import: most commands that import the modules needing it (inspect
 * and lint of an unsigned archive) never hash or verify, and initialising the module costs a fresh process about 2 ms,
 * a tenth of what `inspect` may spend above an empty `node` (docs/performance.md, "CLI start-up").
 */
export const nodeCrypto = (): typeof Crypto => process.getBuiltinModule('node:crypto');
