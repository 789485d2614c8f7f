/**
 * `context.onnx`: opens ONNX sessions on files of the model folder with the model's execution providers and tuning,
 * keeps them for `metadata()` and releases them when the model closes. Forwards at most ONE provider warning.
 */
import path from 'node:path';

import { ModelArchiveError } from '@model-archiver/core/read';

import {
  createOnnxSession,
  createTensor,
  type OnnxSession,
  type OnnxSessionOptions,
  type OnnxTensor,
  type OnnxTensorData,
  type OnnxTensorType,
} from './onnx.js';

/** Opens sessions for a handler; available as `context.onnx`. */
export class OnnxSessionFactory {
  /** Providers and tuning used when a call does not override them. */
  readonly settings: Readonly<OnnxSessionOptions>;
  /** Archive path of the model's main `.onnx` file (`serializedFile`, or the only `.onnx` at the root), if any. */
  readonly defaultModel: string | undefined;
  readonly #modelDir: string;
  readonly #warn: (message: string) => void;
  readonly #sessions: OnnxSession[] = [];
  #warned = false;

  constructor(modelDir: string, defaultModel: string | undefined, settings: OnnxSessionOptions, warn: (message: string) => void) {
    this.#modelDir = modelDir;
    this.defaultModel = defaultModel;
    this.settings = Object.freeze({ ...settings, executionProviders: [...settings.executionProviders] });
    this.#warn = warn;
  }

  /** Sessions opened so far, in order. */
  get sessions(): readonly OnnxSession[] {
    return this.#sessions;
  }

  /**
   * Opens a session on `file` (an archive path, default {@link defaultModel}).
   * @throws MODEL_LOAD_FAILED when there is no such model or ONNX Runtime cannot load it.
   */
  async createSession(file?: string, overrides: Partial<OnnxSessionOptions> = {}): Promise<OnnxSession> {
    const relative = file ?? this.defaultModel;
    if (relative === undefined) {
      throw new ModelArchiveError('MODEL_LOAD_FAILED', 'The archive has no .onnx model (no serializedFile, no single .onnx at its root)', {
        details: { modelDir: this.#modelDir },
      });
    }
    const absolute = path.resolve(this.#modelDir, relative.replaceAll('\\', '/'));
    const inside = path.relative(this.#modelDir, absolute);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new ModelArchiveError('MODEL_LOAD_FAILED', `Model file ${relative} is outside the model folder`, { details: { file: relative } });
    }
    const options = { ...this.settings, ...overrides };
    const session = await createOnnxSession(absolute, options, (message) => {
      if (this.#warned) return;
      this.#warned = true;
      this.#warn(message);
    });
    this.#sessions.push(session);
    return session;
  }

  /** Makes a tensor for {@link OnnxSession.run} (`float16` data are IEEE half bit patterns, `bool` 0/1 bytes). */
  tensor(type: OnnxTensorType, data: OnnxTensorData, dims: readonly number[]): OnnxTensor {
    return createTensor(type, data, dims);
  }

  /** @internal Releases every session. */
  async releaseAll(): Promise<void> {
    const sessions = this.#sessions.splice(0);
    await Promise.allSettled(sessions.map((s) => s.release()));
  }
}
