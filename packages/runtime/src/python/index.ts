/**
 * `@model-archiver/runtime/python`: the Python worker without ONNX Runtime (the server's main process imports this to
 * choose and start worker processes).
 */
export { PythonWorker } from './python-worker.js';
export type { PythonWorkerExit } from './python-worker.js';
export { isPythonHandler, preparePythonTarget } from './python-target.js';
export { pythonForTarget } from './python-venv.js';
export type { PythonRequest, PythonResponse, PythonTarget } from './python-protocol.js';
export { defaultCacheDir } from '../cache/cache-index.js';
