/**
 * Entry point of a worker process (forked by the server, one model per process). It loads the model with the runtime,
 * then answers batches until told to close. A handler that throws costs its batch; one that hangs or exits costs this
 * process, which the server restarts.
 */
import { ErrorCode, ModelArchiveError, isModelArchiveError } from '@model-archiver/core';
import { loadModel } from '@model-archiver/runtime';
import type { InferenceRequest, InferenceResponse, LoadedModel } from '@model-archiver/runtime';

import { toInferenceRequest, toWireResponse } from './worker-codec.js';
import { toWireError } from './worker-protocol.js';
import type { FromWorker, ToWorker, WireLoad, WireModelInfo, WireRequest, WireResponse } from './worker-protocol.js';

let model: LoadedModel | undefined;
let info: WireModelInfo | undefined;

const send = (message: FromWorker): void => {
  process.send?.(message);
};

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
      onWarning: (text: string) => process.stderr.write(`warning: ${text}\n`),
    });
    const metadata = model.metadata();
    info = {
      name: model.name,
      version: model.version,
      manifest: model.manifest,
      inputs: metadata.inputs,
      outputs: metadata.outputs,
    };
    send({ type: 'ready', info });
  } catch (error) {
    send({ type: 'load-failed', error: toWireError(error, ErrorCode.MODEL_LOAD_FAILED, 'The model failed to load.') });
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
    const results = await current.model.handle(batch);
    if (!Array.isArray(results) || results.length !== batch.length) {
      throw new ModelArchiveError(
        ErrorCode.BATCH_SIZE_MISMATCH,
        `number of batch response mismatched, expect: ${batch.length}, got: ${Array.isArray(results) ? results.length : 0}.`,
      );
    }
    group.forEach((index, position) => {
      try {
        responses[index] = toWireResponse(requests[index] as WireRequest, decoded[index], results[position] as InferenceResponse, current.info);
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
  send({ type: 'result', id, responses: responses as WireResponse[] });
};

const close = async (): Promise<void> => {
  try {
    await model?.close();
  } finally {
    process.disconnect?.();
  }
};

process.on('message', (message: ToWorker) => {
  if (message.type === 'load') void load(message);
  else if (message.type === 'batch') void runBatch(message.id, message.requests);
  else void close();
});
// Ctrl-C in a terminal signals the whole process group: the server drains and then stops its workers itself.
process.on('SIGINT', () => {});
// The server going away (crash, SIGKILL) must not leave orphan workers behind.
process.on('disconnect', () => {
  process.exitCode = 0;
  setTimeout(() => process.exit(), 1000).unref();
});
