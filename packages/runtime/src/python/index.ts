/**
 * `@model-archiver/runtime/python`: the Python worker without ONNX Runtime (the server's main process imports this to
 * choose and start worker processes).
 */
export { PythonWorker } from './python-worker.js';
export type { PythonWorkerExit, PythonWorkerOptions } from './python-worker.js';
export { isPythonHandler, preparePythonTarget, requirementsNotice } from './python-target.js';
export type { PrepareOptions } from './python-target.js';
export { PYTHON_WORKER_ROOT, pythonCommand } from './python-interpreter.js';
export { requirementsEnvironment } from './python-venv.js';
export type { RequirementsEnvironmentOptions } from './python-venv.js';
export type { FromPython, PythonError, PythonFlavour, PythonRequest, PythonRequestPart, PythonResponse, PythonTarget, ToPython } from './python-protocol.js';
export { FrameDecoder, encodeFrame } from './frames.js';
export { defaultCacheDir } from '../cache/cache-index.js';
