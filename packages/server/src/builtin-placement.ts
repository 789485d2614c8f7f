/**
 * Where the server runs trusted built-in handlers (`onnx`, `image_classifier`; see docs/server.md "Where handlers run"):
 * - `thread`: a worker thread per worker, in the server process (the default);
 * - `main`: on the server's main thread (no hop between threads; a run blocks the event loop while it lasts);
 * - `process`: a worker process per worker, like archives' own handlers.
 */
export const BUILTIN_PLACEMENTS = ['main', 'thread', 'process'] as const;

/** One of {@link BUILTIN_PLACEMENTS}. */
export type BuiltinPlacement = (typeof BUILTIN_PLACEMENTS)[number];
