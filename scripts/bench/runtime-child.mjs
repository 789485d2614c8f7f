// Child process of runtime.mjs: one cold start, timed from before the first import to the first result.
// Usage: node scripts/bench/runtime-child.mjs bare <model.onnx> <input.f32> <dims as JSON>
//        node scripts/bench/runtime-child.mjs runtime <archive> <input.png> <cacheDir>
// Prints { ms, ... } as JSON.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [mode, model, input, extra] = process.argv.slice(2);
const t0 = performance.now();
if (mode === 'bare') {
  const { default: ort } = await import('onnxruntime-node');
  ort.env.logLevel = 'fatal';
  const bytes = readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, JSON.parse(extra)) });
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify({ ms, dims: outputs[session.outputNames[0]].dims })}\n`);
} else {
  const { loadModel } = await import('../../packages/runtime/dist/index.js');
  const loaded = await loadModel(model, { cacheDir: extra });
  const [response] = await loaded.handle([{ body: readFileSync(input), contentType: 'image/png' }]);
  const ms = performance.now() - t0;
  await loaded.close();
  process.stdout.write(`${JSON.stringify({ ms, body: response.body })}\n`);
}
