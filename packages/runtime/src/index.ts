/**
 * @packageDocumentation
 * Runtime of model-archiver: load a model archive, run its JavaScript (or built-in) handler on ONNX Runtime.
 */

// --- loading ---
export { loadModel } from './load-model.js';
export type { GraphOptimizationLevel, InferenceRequest, InferenceResponse, LoadOptions, LoadedModel, TensorMetadata } from './types.js';
export { defaultCacheDir } from './cache-index.js';

// --- handlers ---
export { HandlerContext } from './context.js';
export type { HandlerRequest, SystemProperties } from './context.js';
export { parseHandlerString, moduleCandidates } from './handler-resolve.js';
export type { HandlerSpec } from './handler-resolve.js';
export { BUILTIN_HANDLERS } from './builtin/index.js';
export type { ClassProbability } from './builtin/image-classifier.js';

// --- onnx ---
export { OnnxSession } from './onnx.js';
export type { OnnxSessionOptions, OnnxTensor, OnnxTensorData, OnnxTensorType, OnnxValueInfo } from './onnx.js';
export { OnnxSessionFactory } from './session-factory.js';
export { V2_TO_ONNX, onnxToV2 } from './tensors.js';
export type { V2Tensor } from './tensors.js';
export { RUNTIME_VERSION } from './version.js';
