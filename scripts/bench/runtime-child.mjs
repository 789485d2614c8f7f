// Child process of runtime.mjs: one cold start. Prints the time to import the modules (importMs) and the time from
// there to the first result (modelMs: session creation or loadModel, plus the first request).
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
  const t1 = performance.now();
  const bytes = readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, JSON.parse(extra)) });
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, modelMs: t2 - t1, dims: outputs[session.outputNames[0]].dims })}\n`);
} else {
  const { loadModel } = await import('../../packages/runtime/dist/index.js');
  // The runtime imports sharp and yaml on first use; a server has them loaded after its first model. Counted as imports.
  await import('sharp');
  await import('yaml');
  const t1 = performance.now();
  const loaded = await loadModel(model, { cacheDir: extra });
  const [response] = await loaded.handle([{ body: readFileSync(input), contentType: 'image/png' }]);
  const t2 = performance.now();
  await loaded.close();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, modelMs: t2 - t1, body: response.body })}\n`);
}
