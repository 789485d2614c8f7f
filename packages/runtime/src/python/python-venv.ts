/**
 * Opt-in installation of an archive's `requirements.txt` into a virtual environment of its own (`installRequirements`,
 * `--install-requirements`). The environment lives in the model cache, keyed by the interpreter, the archive's content
 * key and the requirements path, so it is built once per archive and interpreter: `python -m venv
 * --system-site-packages` (packages of the base interpreter stay visible), then `pip install -r` run from the model
 * folder (relative `--find-links` and paths in the file work). It is built under a temporary name and renamed when
 * complete; a failed install leaves nothing behind.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { ModelArchiveError } from '@model-archiver/core/read';

import { pythonCommand } from './python-interpreter.js';
import type { PythonTarget } from './python-protocol.js';
import { requirementsNotice } from './python-target.js';

const OUTPUT_TAIL_LINES = 30;

/** Options of {@link requirementsEnvironment}. */
export interface RequirementsEnvironmentOptions {
  /** The base interpreter (`--python`, `$PYTHON`, `python3`). */
  python: string;
  env: NodeJS.ProcessEnv;
  /** The model cache; environments go to `<cacheDir>/python-envs/`. */
  cacheDir: string;
  signal?: AbortSignal;
}

const interpreterIn = (venv: string): string => (process.platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python'));

const exists = (file: string): Promise<boolean> => stat(file).then(() => true, () => false);

/** Runs a command to completion; rejects with REQUIREMENTS_INSTALL_FAILED and the output's last lines. */
const run = (command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...(signal === undefined ? {} : { signal }) });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) =>
      reject(new ModelArchiveError('REQUIREMENTS_INSTALL_FAILED', `${what} could not start (${command}): ${error.message}`, { cause: error, details: { command } })),
    );
    child.on('close', (code, signalName) => {
      if (code === 0) resolve();
      else reject(new ModelArchiveError('REQUIREMENTS_INSTALL_FAILED', `${what} failed (exit ${code ?? signalName}):\n${output.trim()}`, { details: { command, args, output } }));
    });
  });

/**
 * The interpreter of the archive's own environment, built on first use. Throws REQUIREMENTS_INSTALL_FAILED (with
 * pip's output) when the environment cannot be created (e.g. Debian without `python3-venv`) or an install fails.
 */
export async function requirementsEnvironment(target: PythonTarget, options: RequirementsEnvironmentOptions): Promise<string> {
  const requirements = target.requirements;
  if (requirements === undefined) throw new TypeError('the target has no requirements file');
  const key = createHash('sha256').update(`${options.python}\0${path.basename(target.modelDir)}\0${requirements}`).digest('hex').slice(0, 32);
  const root = path.join(options.cacheDir, 'python-envs');
  const venv = path.join(root, key);
  if (await exists(interpreterIn(venv))) return interpreterIn(venv);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const temp = `${venv}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await run(options.python, ['-m', 'venv', '--system-site-packages', temp], target.modelDir, options.env,
      `Creating a virtual environment for model ${target.name} (Debian: apt-get install python3-venv)`, options.signal);
    await run(interpreterIn(temp), ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-r', path.join(target.modelDir, requirements)],
      target.modelDir, options.env, `Installing ${requirements} of model ${target.name}`, options.signal);
    try {
      await rename(temp, venv);
    } catch (error) {
      // Built meanwhile by another worker: use that one.
      if (!(await exists(interpreterIn(venv)))) throw error;
      await rm(temp, { recursive: true, force: true });
    }
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (options.signal?.aborted === true) throw new ModelArchiveError('ABORTED', 'Loading was cancelled', { cause: options.signal.reason });
    throw error;
  }
  return interpreterIn(venv);
}

/** Options of {@link pythonForTarget}. */
export interface PythonForTargetOptions {
  /** Interpreter (`--python`); default `$PYTHON`, else `python3` on the PATH. */
  python?: string;
  env: NodeJS.ProcessEnv;
  /** Install the archive's requirements into its own virtual environment (else only warn). */
  installRequirements: boolean;
  /** The model cache (see {@link RequirementsEnvironmentOptions}). */
  cacheDir: string;
  signal?: AbortSignal;
  /** Called before the environment is prepared (built once, then reused). */
  onInstall?: () => void;
  /** Given the notice for requirements that are not installed. */
  warn: (notice: string) => void;
}

/**
 * The interpreter to run a target with: `options.python` as given (`undefined`: the worker's default), or, for an
 * archive that carries a requirements file, the archive's own virtual environment when `installRequirements`, else
 * the base interpreter after a warning that the requirements are not installed. Used by `loadModel` and the server.
 */
export async function pythonForTarget(target: PythonTarget, options: PythonForTargetOptions): Promise<string | undefined> {
  if (target.requirements === undefined) return options.python;
  const base = pythonCommand(options.python, options.env).command;
  if (!options.installRequirements) {
    options.warn(requirementsNotice(target, base));
    return options.python;
  }
  options.onInstall?.();
  return requirementsEnvironment(target, { python: base, env: options.env, cacheDir: options.cacheDir, ...(options.signal === undefined ? {} : { signal: options.signal }) });
}
