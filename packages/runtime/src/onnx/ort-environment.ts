/**
 * Process settings that must be in place before onnxruntime-node creates its native environment. Imported by
 * `onnx.ts` ahead of `onnxruntime-node` (ES modules evaluate their imports in order).
 *
 * onnxruntime-node 1.30 ships POSIX telemetry: it tries to send events to Microsoft's collector and leaves an empty
 * `/tmp/mat-debug-<pid>.log` in every process that creates a session. A model runtime must not phone home, so it is
 * switched off unless the user set `ORT_DISABLE_TELEMETRY` themselves (docs/runtime.md, docs/security.md).
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';

export {};
