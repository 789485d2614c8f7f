// The "minimal Node server" peer of scripts/bench/server.mjs: the least a Node.js server can do to answer the bench's
// Open Inference Protocol binary requests with onnxruntime-node, and nothing more.
//
//   node scripts/bench/minimal-server.mjs PORT MODEL
//
// node:http, one ONNX Runtime session with one intra-op thread, the request's tensor copied into an aligned
// Float32Array, session.run, and the binary answer (JSON header + float32 bytes). No routing, validation, limits,
// authorization, queue, batching, metrics, logging or request ids: it shows what Node's HTTP stack and the request's
// memory cost on this machine, the floor under any server written in Node. Any GET answers 200 (the bench's readiness
// probe). Not for use outside the bench: it trusts every byte it receives.
import http from 'node:http';

import ort from 'onnxruntime-node';

process.env.ORT_DISABLE_TELEMETRY ??= '1';

const [port, model] = process.argv.slice(2);
if (port === undefined || model === undefined) throw new Error('usage: minimal-server.mjs PORT MODEL');
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const [inputName] = session.inputNames;
const [outputName] = session.outputNames;

const answer = async (req, body) => {
  const headerLength = Number(req.headers['inference-header-content-length']);
  const header = JSON.parse(body.toString('utf8', 0, headerLength));
  const bytes = body.subarray(headerLength);
  const data = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(data.buffer).set(bytes);
  const results = await session.run({ [inputName]: new ort.Tensor('float32', data, header.inputs[0].shape) });
  const output = results[outputName];
  const outputBytes = Buffer.from(output.data.buffer, output.data.byteOffset, output.data.byteLength);
  const outputHeader = Buffer.from(JSON.stringify({
    model_name: 'cls',
    outputs: [{ name: outputName, datatype: 'FP32', shape: output.dims, parameters: { binary_data_size: outputBytes.length } }],
  }));
  return { outputHeader, outputBytes };
};

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.end('{}');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    answer(req, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).then(({ outputHeader, outputBytes }) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': outputHeader.length,
        'content-length': outputHeader.length + outputBytes.length,
      });
      res.end(Buffer.concat([outputHeader, outputBytes]));
    }, () => {
      res.writeHead(400).end();
    });
  });
});
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
