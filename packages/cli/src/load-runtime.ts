import { ModelArchiveError } from '@model-archiver/core/read';

/** The runtime's API, as `predict` and `lint --load` use it. */
export type Runtime = typeof import('@model-archiver/runtime');

/** Packages the runtime needs that a lint-only install leaves out, with what they bring. */
const OPTIONAL_PACKAGES = ['@model-archiver/runtime', 'onnxruntime-node', 'sharp'] as const;

/**
 * Imports `@model-archiver/runtime`, an optional peer dependency of the CLI (so `npm i @model-archiver/cli` for
 * inspect/verify/lint in CI does not download ONNX Runtime and sharp). When it, or a package it needs, is missing:
 * `RUNTIME_NOT_INSTALLED` saying what to install (`details.package`, `details.install`).
 */
export async function loadRuntime(command: string): Promise<Runtime> {
  try {
    return await import('@model-archiver/runtime');
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    const text = cause instanceof Error ? cause.message : String(cause);
    const missing = OPTIONAL_PACKAGES.find((name) => text.includes(`'${name}'`) || text.includes(`"${name}"`));
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || missing === undefined) throw cause;
    const install = 'npm install @model-archiver/runtime';
    throw new ModelArchiveError(
      'RUNTIME_NOT_INSTALLED',
      `${command} needs @model-archiver/runtime (ONNX Runtime and sharp), an optional peer of @model-archiver/cli; ` +
        `${missing} is not installed: run '${install}'`,
      { cause, details: { package: missing, install } },
    );
  }
}
