/**
 * One Python worker process seen from Node: started with the model folder as cwd and `sys.path` as the reference
 * servers set it (docs/anchors.md §4.1), it loads the handler, then answers batches over frames on stdin/stdout.
 * Everything the handler prints arrives on stderr, line by line.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core/read';

import { FrameDecoder, encodeFrame } from './frames.js';
import { PYTHON_WORKER_ROOT, pythonCommand } from './python-interpreter.js';
import type { FromPython, PythonError, PythonRequest, PythonResponse, PythonTarget, ToPython } from './python-protocol.js';

const STDERR_TAIL_LINES = 40;
/** Exit status of the worker's version check (`__main__.py`). */
const EXIT_PYTHON_TOO_OLD = 3;

/** How a worker process ended. */
export interface PythonWorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines the worker wrote to stderr. */
  stderrTail: string[];
}

/** Options of {@link PythonWorker.start}. */
export interface PythonWorkerOptions {
  target: PythonTarget;
  /** Interpreter (`--python`); default `$PYTHON`, else `python3` on the PATH. */
  python?: string;
  /** Environment of the process; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** `system_properties.batch_size`. */
  batchSize: number;
  /** `system_properties.gpu_id`; default `null` (CPU). */
  gpuId?: number | null;
  /** `system_properties.server_version`. */
  serverVersion: string;
  /** Longest wait (ms) for the handler to load; default no limit. */
  startupTimeout?: number;
  /** Cancels loading. */
  signal?: AbortSignal;
  /** Each stderr line (handler prints, tracebacks, `[METRICS]` lines); default: dropped. */
  onStderr?: (line: string) => void;
  /** Called once when the process ends for any reason after it started. */
  onExit?: (exit: PythonWorkerExit) => void;
}

/**
 * A worker error as a coded error (an unknown code becomes `INTERNAL`); the Python traceback (if any) is in
 * `details.traceback`, and with `tracebackInMessage` also appended to the message (a failed batch of `PythonModel`).
 */
export const pythonErrorToModelError = (error: PythonError, options: { tracebackInMessage?: boolean } = {}): ModelArchiveError =>
  new ModelArchiveError(
    Object.hasOwn(ErrorCode, error.code) ? error.code : ErrorCode.INTERNAL,
    options.tracebackInMessage === true && error.cause !== undefined ? `${error.message}\n${error.cause}` : error.message,
    error.cause === undefined ? {} : { details: { traceback: error.cause } },
  );

/** `PYTHONPATH` as the reference servers build it: handler folder, the caller's path, model folder, then ours. */
const pythonPath = (target: PythonTarget, inherited: string | undefined): string => {
  const cut = target.module.lastIndexOf('/');
  const handlerDir = cut > 0 ? path.resolve(target.modelDir, target.module.slice(0, cut)) : undefined;
  return [handlerDir, inherited, target.modelDir, PYTHON_WORKER_ROOT].filter((p): p is string => p !== undefined && p !== '').join(path.delimiter);
};

/** A running Python worker. */
export class PythonWorker {
  readonly startTime = new Date();
  /** Python version and interpreter of the process. */
  readonly python: { version: string; executable: string };
  /** How the handler was resolved (`module:function (function)`, `module.Class (class)`). */
  readonly entry: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (r: PythonResponse[]) => void; reject: (e: Error) => void }>();
  private readonly tail: string[];
  private nextBatchId = 1;
  private exited = false;

  private constructor(child: ChildProcessWithoutNullStreams, ready: Extract<FromPython, { type: 'ready' }>, tail: string[]) {
    this.child = child;
    this.python = { version: ready.python, executable: ready.executable };
    this.entry = ready.entry;
    this.tail = tail;
  }

  /**
   * Starts a worker and loads the handler. Rejects with the load error (the process is then gone):
   * PYTHON_NOT_FOUND, HANDLER_MODULE_NOT_FOUND, HANDLER_IMPORT_FAILED, HANDLER_FUNCTION_NOT_FOUND, HANDLER_INVALID,
   * HANDLER_INIT_FAILED, MODEL_LOAD_FAILED, ABORTED.
   */
  static start(options: PythonWorkerOptions): Promise<PythonWorker> {
    const { target } = options;
    const env = options.env ?? process.env;
    const { command, source } = pythonCommand(options.python, env);
    const child = spawn(command, ['-u', '-m', 'model_archiver_worker'], {
      cwd: target.modelDir,
      env: {
        ...env,
        PYTHONPATH: pythonPath(target, env['PYTHONPATH']),
        // The model folder is a verified cache copy: no __pycache__ may be written into it.
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      options.onStderr?.(line);
    });
    // A write after the process died: the exit handler reports it.
    child.stdin.on('error', () => {});
    return new Promise((resolve, reject) => {
      let worker: PythonWorker | undefined;
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(error);
      };
      const timer =
        options.startupTimeout === undefined
          ? undefined
          : setTimeout(() => fail(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `The Python worker did not load model ${target.name} within ${options.startupTimeout} ms.`)), options.startupTimeout);
      const onAbort = (): void => fail(new ModelArchiveError(ErrorCode.ABORTED, 'Loading was cancelled', { cause: options.signal?.reason }));
      if (options.signal?.aborted === true) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const decoder = new FrameDecoder();
      child.stdout.on('data', (chunk: Buffer) => {
        let messages: unknown[];
        try {
          messages = decoder.push(chunk);
        } catch (error) {
          // The channel is broken: the process goes (a batch in flight gets WORKER_DIED), the reason into its stderr tail.
          const reason = `model-archiver: the Python worker wrote a malformed frame (${(error as Error).message}); killing it`;
          tail.push(reason);
          options.onStderr?.(reason);
          child.kill('SIGKILL');
          fail(new ModelArchiveError(ErrorCode.INTERNAL, 'The Python worker wrote a malformed frame.', { cause: error }));
          return;
        }
        for (const message of messages as FromPython[]) {
          if (message.type === 'ready' && !settled) {
            settled = true;
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', onAbort);
            worker = new PythonWorker(child, message, tail);
            resolve(worker);
          } else if (message.type === 'load-failed') {
            fail(pythonErrorToModelError(message.error));
          } else if (message.type === 'result') {
            worker?.settle(message.id, message.responses);
          }
        }
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        const missing = error.code === 'ENOENT' || error.code === 'EACCES';
        fail(
          missing
            ? new ModelArchiveError(
                ErrorCode.PYTHON_NOT_FOUND,
                `Python interpreter "${command}" (${source}) was not found or cannot be run. Install Python >= 3.9 (Debian: apt-get install python3) or name one with --python /path/to/python3 or PYTHON=/path/to/python3.`,
                { cause: error, details: { python: command, source } },
              )
            : new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `Starting the Python worker (${command}) failed: ${error.message}`, { cause: error }),
        );
      });
      child.on('exit', (code, signal) => {
        // Let the last stderr lines arrive before reporting the cause.
        setImmediate(() => {
          const exit: PythonWorkerExit = { code, signal, stderrTail: [...tail] };
          if (worker === undefined) {
            const stderr = tail.join('\n');
            if (code === EXIT_PYTHON_TOO_OLD) {
              fail(new ModelArchiveError(ErrorCode.PYTHON_NOT_FOUND, `${stderr.trim()}. Install Python >= 3.9 or name it with --python or PYTHON.`, { details: { python: command, source } }));
            } else {
              fail(new ModelArchiveError(ErrorCode.MODEL_LOAD_FAILED, `The Python worker (${command}) exited while loading model ${target.name} (code ${code}, signal ${signal}):\n${stderr}`, { details: { python: command, stderrTail: exit.stderrTail } }));
            }
            return;
          }
          worker.markExited(exit);
          options.onExit?.(exit);
        });
      });
      const load: ToPython = {
        type: 'load',
        modelDir: target.modelDir,
        handler: target.handler,
        module: target.module,
        ...(target.function === undefined ? {} : { function: target.function }),
        modelName: target.name,
        modelVersion: target.version,
        manifest: target.manifest,
        batchSize: options.batchSize,
        gpuId: options.gpuId ?? null,
        serverVersion: options.serverVersion,
        flavour: target.flavour,
        modelConfig: target.modelConfig,
      };
      writeMessage(child, load);
    });
  }

  /** Process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return !this.exited;
  }

  /** Last stderr lines. */
  get stderrTail(): string[] {
    return [...this.tail];
  }

  /** Sends one batch; resolves with one answer per request. Rejects with `WORKER_DIED` if the process ends first. */
  run(requests: PythonRequest[]): Promise<PythonResponse[]> {
    if (this.exited) return Promise.reject(new ModelArchiveError(ErrorCode.WORKER_DIED, 'The Python worker is gone.'));
    const id = this.nextBatchId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      writeMessage(this.child, { type: 'batch', id, requests });
    });
  }

  /** Asks the worker to exit (its batch in progress finishes first); kills it after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    writeMessage(this.child, { type: 'close' });
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Ends the process at once (a hung handler). */
  kill(): void {
    if (!this.exited && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private settle(id: number, responses: PythonResponse[]): void {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    entry?.resolve(responses);
  }

  private markExited(exit: PythonWorkerExit): void {
    this.exited = true;
    const cause = exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
    for (const entry of this.pending.values()) {
      entry.reject(
        new ModelArchiveError(ErrorCode.WORKER_DIED, `The Python worker died while handling the request (${cause}).`, {
          details: { exitCode: exit.code, signal: exit.signal, stderrTail: exit.stderrTail },
        }),
      );
    }
    this.pending.clear();
  }
}

const writeMessage = (child: ChildProcessWithoutNullStreams, message: ToPython): void => {
  if (!child.stdin.writable) return;
  child.stdin.cork();
  for (const chunk of encodeFrame(message)) child.stdin.write(chunk);
  child.stdin.uncork();
};
