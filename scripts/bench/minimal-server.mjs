// The "minimal Node server" peer of scripts/bench/server.mjs: the least a Node.js server can do to answer the bench's
// Open Inference Protocol binary requests with onnxruntime-node, and nothing more.
//
//   node scripts/bench/minimal-server.mjs PORT MODEL [--socket]
//
// node:http, one ONNX Runtime session with one intra-op thread, the request's tensor copied into an aligned
// Float32Array, session.run, and the binary answer (JSON header + float32 bytes). No routing, validation, limits,
// authorization, queue, batching, metrics, logging or request ids: it shows what Node's HTTP stack and the request's
// memory cost on this machine, the floor under any server written in Node. Any GET answers 200 (the bench's readiness
// probe). Not for use outside the bench: it trusts every byte it receives.
//
// --socket: the same answers with no HTTP library at all: node:net and a few lines that find the end of each request's
// head and its Content-Length (keep-alive, one request after another per connection, no chunked bodies, no checks).
// It shows what is left of a Node server's cost per request once node:http's JavaScript is gone.
import http from 'node:http';
import net from 'node:net';

import ort from 'onnxruntime-node';

process.env.ORT_DISABLE_TELEMETRY ??= '1';

const [port, model, mode] = process.argv.slice(2);
if (port === undefined || model === undefined || (mode !== undefined && mode !== '--socket')) throw new Error('usage: minimal-server.mjs PORT MODEL [--socket]');
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const [inputName] = session.inputNames;
const [outputName] = session.outputNames;

const answer = async (headerLength, body) => {
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

const httpServer = () =>
  http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.end('{}');
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      answer(Number(req.headers['inference-header-content-length']), body).then(({ outputHeader, outputBytes }) => {
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

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;
const INFERENCE_HEADER_LENGTH = /\r\ninference-header-content-length:\s*(\d+)/i;
const headerValue = (head, pattern) => Number(pattern.exec(head)?.[1] ?? 0);

const socketServer = () =>
  net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    let busy = false;
    // Answers the complete requests in `pending`, one at a time (a client sends the next once it has the answer).
    const drain = async () => {
      busy = true;
      for (;;) {
        const end = pending.indexOf(HEAD_END);
        if (end < 0) break;
        const head = pending.toString('latin1', 0, end);
        const length = headerValue(head, CONTENT_LENGTH);
        if (pending.length < end + 4 + length) break;
        const body = pending.subarray(end + 4, end + 4 + length);
        pending = pending.subarray(end + 4 + length);
        if (head.startsWith('GET ')) {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}');
          continue;
        }
        try {
          const { outputHeader, outputBytes } = await answer(headerValue(head, INFERENCE_HEADER_LENGTH), body);
          const status = `HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ninference-header-content-length: ${outputHeader.length}\r\ncontent-length: ${outputHeader.length + outputBytes.length}\r\n\r\n`;
          socket.write(Buffer.concat([Buffer.from(status, 'latin1'), outputHeader, outputBytes]));
        } catch {
          socket.write('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
        }
      }
      busy = false;
    };
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (!busy) void drain();
    });
    socket.on('error', () => socket.destroy());
  });

const server = mode === '--socket' ? socketServer() : httpServer();
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
