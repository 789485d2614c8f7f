import type { WritableFlavour } from './manifest-flavours.js';

/** Values of the manifest `runtime` field across flavours. */
export const RUNTIMES = ['python', 'python2', 'python3', 'LSP', 'node'] as const;

/** A manifest `runtime` value. */
export type Runtime = (typeof RUNTIMES)[number];

/**
 * Runtimes each flavour's loader accepts; the first is the flavour's default.
 * - mms: `RuntimeType` of MMS 1.0 (archiver and Java reader).
 * - torchserve: TorchServe 0.12 (`LSP` for its C++ backend).
 * - node: this project's runtime.
 */
export const RUNTIMES_BY_FLAVOUR = {
  mms: ['python', 'python2', 'python3'],
  torchserve: ['python', 'python3', 'LSP'],
  node: ['node'],
} as const satisfies Record<WritableFlavour, readonly [Runtime, ...Runtime[]]>;

/** The runtime a flavour's manifest gets when none is given. */
export const defaultRuntimeOf = (flavour: WritableFlavour): Runtime => RUNTIMES_BY_FLAVOUR[flavour][0];

/** True when `runtime` is one the flavour's loader accepts. */
export const isRuntimeOf = (flavour: WritableFlavour, runtime: unknown): runtime is Runtime =>
  (RUNTIMES_BY_FLAVOUR[flavour] as readonly unknown[]).includes(runtime);

/** Runtimes whose handler is a Python module (loaded by the MMS/TorchServe Python workers). */
export const PYTHON_RUNTIMES = ['python', 'python2', 'python3'] as const satisfies readonly Runtime[];

/** A Python runtime. */
export type PythonRuntime = (typeof PYTHON_RUNTIMES)[number];

/** True when `runtime` is a Python runtime. */
export const isPythonRuntime = (runtime: unknown): runtime is PythonRuntime =>
  (PYTHON_RUNTIMES as readonly unknown[]).includes(runtime);

/** True when `value` is a known runtime. */
export const isRuntime = (value: unknown): value is Runtime => (RUNTIMES as readonly unknown[]).includes(value);
