import { createRequire } from 'node:module';

/** This package's version (`system_properties.server_version` by default). */
export const RUNTIME_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
