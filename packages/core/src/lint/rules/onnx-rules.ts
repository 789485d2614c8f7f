import type { LintIssue, LintRule } from '../lint-types.js';

/** Highest default-domain opset onnxruntime-node 1.30.0 loads (measured: 26 loads, 27 is refused). */
export const ORT_MAX_OPSET = 26;
/** Lowest opset ONNX Runtime guarantees (it warns below and may fail). */
export const ORT_MIN_OPSET = 7;

/** MA021: ONNX models parse. */
export const onnxParse: LintRule = {
  id: 'MA021',
  name: 'onnx-parse',
  severity: 'error',
  description: 'Every .onnx entry is a protobuf ModelProto with an IR version and a graph (read with onnx-proto, weights skipped).',
  help: 'Re-export the model; a truncated or mislabelled file is the usual cause.',
  check: async (ctx): Promise<LintIssue[]> =>
    (await ctx.onnxModels())
      .filter((m) => m.error !== undefined)
      .map((m) => ({ message: `${m.path} is not a valid ONNX model: ${m.error?.message ?? ''}`, entry: m.path, code: 'MODEL_LOAD_FAILED' })),
};

/** MA022: the opset is not newer than onnxruntime-node supports. */
export const onnxOpsetUnsupported: LintRule = {
  id: 'MA022',
  name: 'onnx-opset-unsupported',
  severity: 'error',
  description: `The default-domain (ai.onnx) opset of every ONNX model is at most ${ORT_MAX_OPSET}, the newest onnxruntime-node 1.30 loads.`,
  help: 'Export the model with an older opset (torch.onnx.export(..., opset_version=N)), or upgrade onnxruntime-node.',
  check: async (ctx): Promise<LintIssue[]> =>
    (await ctx.onnxModels()).flatMap((m) =>
      m.info?.defaultOpset !== undefined && m.info.defaultOpset > ORT_MAX_OPSET
        ? [{ message: `${m.path} uses opset ${m.info.defaultOpset}; onnxruntime-node supports up to ${ORT_MAX_OPSET}`, entry: m.path, code: 'MODEL_LOAD_FAILED' }]
        : [],
    ),
};

/** MA023: the opset is old enough that ONNX Runtime no longer guarantees it, or none is declared. */
export const onnxOpsetLegacy: LintRule = {
  id: 'MA023',
  name: 'onnx-opset-legacy',
  severity: 'warning',
  description: `Every ONNX model imports the default domain (ai.onnx) at opset ${ORT_MIN_OPSET} or later; ONNX Runtime only guarantees opsets from ${ORT_MIN_OPSET}.`,
  help: 'Convert the model to a newer opset (onnx.version_converter).',
  check: async (ctx): Promise<LintIssue[]> =>
    (await ctx.onnxModels()).flatMap((m) => {
      if (m.info === undefined) return [];
      if (m.info.defaultOpset === undefined) return [{ message: `${m.path} does not import the ai.onnx opset`, entry: m.path }];
      return m.info.defaultOpset < ORT_MIN_OPSET
        ? [{ message: `${m.path} uses opset ${m.info.defaultOpset}; ONNX Runtime guarantees ${ORT_MIN_OPSET} and later`, entry: m.path }]
        : [];
    }),
};

/** ONNX rules, in id order. */
export const ONNX_LINT_RULES: readonly LintRule[] = [onnxParse, onnxOpsetUnsupported, onnxOpsetLegacy];
