/** Built-in handlers, resolved by name (never copied into archives). */
import type { NodeBuiltinHandler } from '@model-archiver/core/read';

import { instanceHandler, type HandlerRuntime } from '../handler-forms.js';
import { ImageClassifierHandler } from './image-classifier.js';
import { OnnxTensorHandler } from './onnx-handler.js';

/** Built-in handler name (core's `NODE_BUILTIN_HANDLERS`; a missing one does not compile) -> a fresh handler. */
export const BUILTIN_HANDLERS: Readonly<Record<NodeBuiltinHandler, () => HandlerRuntime>> = {
  onnx: () => instanceHandler('onnx (built-in)', new OnnxTensorHandler()),
  image_classifier: () => instanceHandler('image_classifier (built-in)', new ImageClassifierHandler() as never),
};
