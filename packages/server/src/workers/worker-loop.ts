/**
 * What a worker does, whatever it runs in (a forked process or a worker thread): load the model with the runtime, then
 * answer batches until told to close. The entry files (`worker-main.ts`, `worker-thread-main.ts`) only connect it to
 * their channel.
 */
import { ErrorCode, ModelArchiveError, isModelArchiveError } from '@model-archiver/core';
import { loadModel } from '@model-archiver/runtime';
import type { InferenceRequest, InferenceResponse, LoadedModel } from '@model-archiver/runtime';

import { toInferenceRequest, toWireResponse } from './worker-codec.js';
import { toWireError } from './worker-protocol.js';
import type { FromWorker, ToWorker, WireLoad, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

/** How a worker talks to the server. */
export interface WorkerChannel {
  /** Sends a message; `transfer` lists buffers that may move instead of being copied (threads only). */
  send(message: FromWorker, transfer?: ArrayBuffer[]): void;
  /** Ends the channel after `close` (the process or thread then exits). */
  end(): void;
}

/**
 * The buffer under `bytes` when the view covers all of it but at most 7 bytes of alignment padding at its start (a
 * request body gathered so that its tensor data is aligned), so moving it takes nothing from anyone else. (Node's shared
 * pool only holds views under 4 KiB, which never reach to the end of its 8 KiB.)
 */
export const ownedBuffer = (bytes: Uint8Array): ArrayBuffer | undefined =>
  bytes.byteOffset < 8 && bytes.byteOffset + bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer && bytes.byteLength > 4096
    ? bytes.buffer
    : undefined;

/** Buffers of the answers that can be transferred (each at most once). */
const transferablesOf = (responses: readonly WireResponse[]): ArrayBuffer[] => {
  const out = new Set<ArrayBuffer>();
  for (const response of responses) {
    const buffer = response.ok ? ownedBuffer(response.body) : undefined;
    if (buffer !== undefined) out.add(buffer);
  }
  return [...out];
};

/** Returns the message handler of one worker. */
export const createWorkerLoop = (channel: WorkerChannel, warn: (text: string) => void): ((message: ToWorker) => void) => {
  let model: LoadedModel | undefined;
  let info: WireModelInfo | undefined;

  const load = async (message: WireLoad): Promise<void> => {
    try {
      model = await loadModel(message.archivePath, {
        ...(message.modelName === '' ? {} : { modelName: message.modelName }),
        ...(message.handler === undefined ? {} : { handler: message.handler }),
        batchSize: message.batchSize,
        gpuId: null,
        verifyIntegrity: message.verifyIntegrity,
        allowUnverified: message.allowUnverified,
        ...(message.intraOpThreads > 0 ? { intraOpNumThreads: message.intraOpThreads } : {}),
        serverName: 'model-server',
        serverVersion: message.serverVersion,
        onWarning: (text: string) => warn(`warning: ${text}`),
      });
      const metadata = model.metadata();
      info = {
        name: model.name,
        version: model.version,
        manifest: model.manifest,
        inputs: metadata.inputs,
        outputs: metadata.outputs,
        handler: model.handlerDescription,
      };
      channel.send({ type: 'ready', info });
    } catch (error) {
      channel.send({ type: 'load-failed', error: toWireError(error, ErrorCode.MODEL_LOAD_FAILED, 'The model failed to load.') });
    }
  };

  const runBatch = async (id: number, requests: WireRequest[]): Promise<void> => {
    if (model === undefined || info === undefined) throw new Error('batch before load');
    const current = { model, info };
    const responses: (WireResponse | undefined)[] = Array.from({ length: requests.length }, () => undefined);
    const decoded: (InferenceRequest | undefined)[] = [];
    const accepted: number[] = [];
    requests.forEach((wire, index) => {
      try {
        decoded[index] = toInferenceRequest(wire);
        accepted.push(index);
      } catch (error) {
        responses[index] = { ok: false, error: toWireError(error, ErrorCode.INPUT_INVALID, 'The request is malformed.') };
      }
    });
    const runGroup = async (group: number[]): Promise<void> => {
      const batch = group.map((index) => decoded[index] as InferenceRequest);
      const started = performance.now();
      const results = await current.model.handle(batch);
      // TorchServe's HandlerTime: the handler's own time over the batch.
      const handlerMs = performance.now() - started;
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new ModelArchiveError(
          ErrorCode.BATCH_SIZE_MISMATCH,
          `number of batch response mismatched, expect: ${batch.length}, got: ${Array.isArray(results) ? results.length : 0}.`,
        );
      }
      group.forEach((index, position) => {
        try {
          const answer = toWireResponse(requests[index] as WireRequest, decoded[index], results[position] as InferenceResponse, current.info);
          responses[index] = answer.ok ? { ...answer, handlerMs } : answer;
        } catch (error) {
          responses[index] = { ok: false, error: toWireError(error, ErrorCode.HANDLER_FAILED, 'Prediction failed.') };
        }
      });
    };
    const failGroup = (group: number[], error: unknown): void => {
      const wireError = toWireError(error, ErrorCode.HANDLER_FAILED, 'Prediction failed.');
      for (const index of group) responses[index] = { ok: false, error: wireError };
    };
    if (accepted.length > 0) {
      try {
        await runGroup(accepted);
      } catch (error) {
        // One malformed request must not fail the others of its batch: run them one by one to find it.
        if (isModelArchiveError(error) && error.code === ErrorCode.INPUT_INVALID && accepted.length > 1) {
          for (const index of accepted) await runGroup([index]).catch((single: unknown) => failGroup([index], single));
        } else {
          failGroup(accepted, error);
        }
      }
    }
    const done = responses as WireResponse[];
    channel.send({ type: 'result', id, responses: done }, transferablesOf(done));
  };

  const close = async (): Promise<void> => {
    try {
      await model?.close();
    } finally {
      channel.end();
    }
  };

  return (message: ToWorker): void => {
    if (message.type === 'load') void load(message);
    else if (message.type === 'batch') void runBatch(message.id, message.requests);
    else void close();
  };
};
