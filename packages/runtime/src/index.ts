/**
 * @packageDocumentation
 * Runtime of model-archiver: load a model archive, run its JavaScript (or built-in) handler on ONNX Runtime.
 */

// --- loading ---
export { loadModel } from './load-model.js';
export type { GraphOptimizationLevel, InferenceRequest, InferenceResponse, LoadOptions, LoadedModel, TensorMetadata } from './types.js';
export { defaultCacheDir } from './cache/cache-index.js';

// --- handlers ---
export { HandlerContext } from './context.js';
export type { HandlerRequest, SystemProperties } from './context.js';
// The handler-string rule is core's (the builder and the linter use it too); re-exported under the runtime's names.
export { parseHandlerString, nodeModuleCandidates as moduleCandidates } from '@model-archiver/core/read';
export type { ParsedHandler as HandlerSpec } from '@model-archiver/core/read';
export { BUILTIN_HANDLERS } from './handlers/builtin/index.js';
export type { ClassProbability } from './handlers/builtin/image-classifier.js';

// --- onnx ---
export { OnnxSession } from './onnx/onnx.js';
export type { OnnxSessionOptions, OnnxTensor, OnnxTensorData, OnnxTensorType, OnnxValueInfo } from './onnx/onnx.js';
export { OnnxSessionFactory } from './onnx/session-factory.js';
export { V2_TO_ONNX, onnxToV2 } from './onnx/tensors.js';
export type { V2Tensor } from './onnx/tensors.js';
export { RUNTIME_VERSION } from './version.js';
