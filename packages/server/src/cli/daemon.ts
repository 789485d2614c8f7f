import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

import type { ServerAddresses } from '../server-config.js';

/** The message a detached server sends its launcher once its ports are open. */
export interface DaemonStarted {
  type: 'model-server-started';
  addresses: ServerAddresses;
}

/** Set in the environment of a server started by `--start`, so it reports back when its ports are open. */
export const DAEMON_ENV = 'MODEL_SERVER_DAEMON';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The pid in the pid file when that process is alive and (where `/proc` tells) a Node process; a stale file is
 * removed, as TorchServe removes an "orphan pid file".
 */
export const runningPid = (pidFile: string): number | undefined => {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  let ours = Number.isInteger(pid) && pid > 0 && isAlive(pid);
  if (ours) {
    try {
      ours = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
    } catch {
      // No /proc (macOS): the liveness check is all there is.
    }
  }
  if (ours) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
};

const writePidFile = (pidFile: string, pid: number): void => {
  mkdirSync(path.dirname(pidFile), { recursive: true });
  const temp = `${pidFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${pid}\n`, { mode: 0o644 });
  renameSync(temp, pidFile);
};

const lastLines = (file: string, count: number): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
};

const alreadyRunning = (pid: number, pidFile: string): ModelArchiveError =>
  new ModelArchiveError(ErrorCode.SERVER_ALREADY_RUNNING, `model-server is already running (pid ${pid}, ${pidFile}); use model-server --stop to stop it.`, {
    details: { pid, pidFile },
  });

/** `--start --foreground`: records this process in the pid file; `SERVER_ALREADY_RUNNING` when a live server is there. */
export const claimPidFile = (pidFile: string): void => {
  const running = runningPid(pidFile);
  if (running !== undefined) throw alreadyRunning(running, pidFile);
  writePidFile(pidFile, process.pid);
};

/** Removes the pid file when it still names this process. */
export const releasePidFile = (pidFile: string): void => {
  try {
    if (Number(readFileSync(pidFile, 'utf8').trim()) === process.pid) rmSync(pidFile, { force: true });
  } catch {
    // Already gone.
  }
};

/** Where a detached server listens, as a client reaches it (`0.0.0.0` and `::` are reached on loopback). */
const reachable = (host: string): string => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host);

/** The URLs of a started server. */
export const serverUrls = (addresses: ServerAddresses): { inference: string; management: string; metrics: string } => ({
  inference: `http://${reachable(addresses.host)}:${addresses.inferencePort}`,
  management: `http://${reachable(addresses.managementHost)}:${addresses.managementPort}`,
  metrics: `http://${reachable(addresses.metricsHost)}:${addresses.metricsPort}`,
});

/** Options of {@link startDetached}. */
export interface StartDetachedOptions {
  /** The `model-server` entry script. */
  binPath: string;
  /** Its arguments (the command line without `--start`). */
  args: readonly string[];
  pidFile: string;
  logFile: string;
  /** Longest wait for the ports to open (model loading included). */
  timeoutMs: number;
}

/**
 * `model-server --start`: refuses with `SERVER_ALREADY_RUNNING` when the pid file names a live server; else spawns
 * the server detached (its log in `logFile`), waits until it reports its ports open and `/ping` answers, writes the
 * pid file (temp + rename) and resolves with the addresses. A server that exits first rejects with
 * `MODEL_LOAD_FAILED`/`INVALID_OPTION`-style details: the exit code and the last lines of its log.
 */
export const startDetached = async (options: StartDetachedOptions): Promise<{ pid: number; addresses: ServerAddresses }> => {
  const running = runningPid(options.pidFile);
  if (running !== undefined) throw alreadyRunning(running, options.pidFile);
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [options.binPath, ...options.args], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, [DAEMON_ENV]: '1' },
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new ModelArchiveError(ErrorCode.INTERNAL, 'The server process could not be spawned.');
  const addresses = await new Promise<ServerAddresses>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, `The server did not open its ports within ${options.timeoutMs} ms; see ${options.logFile}.`, { details: { logFile: options.logFile } }));
    }, options.timeoutMs);
    child.on('message', (message: DaemonStarted) => {
      if (message.type !== 'model-server-started') return;
      clearTimeout(timer);
      resolve(message.addresses);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, `The server exited (${signal ?? `code ${code}`}) before it started:\n${lastLines(options.logFile, 20)}`, {
          details: { exitCode: code, signal, logFile: options.logFile },
        }),
      );
    });
  });
  child.removeAllListeners('exit');
  const response = await fetch(`${serverUrls(addresses).inference}/ping`).catch((error: unknown) => error);
  if (!(response instanceof Response)) {
    child.kill('SIGTERM');
    throw new ModelArchiveError(ErrorCode.SERVICE_UNAVAILABLE, 'The server reported its ports open but /ping does not answer.', { cause: response });
  }
  await response.arrayBuffer();
  writePidFile(options.pidFile, pid);
  if (child.connected) child.disconnect();
  child.unref();
  return { pid, addresses };
};

/**
 * `model-server --stop`: sends SIGTERM to the server named by the pid file and waits until it has exited (it finishes
 * its in-flight requests first); after `timeoutMs` it is killed. Removes the pid file. `SERVER_NOT_RUNNING` when
 * there is no live server.
 */
export const stopDetached = async (pidFile: string, timeoutMs: number): Promise<number> => {
  const pid = runningPid(pidFile);
  if (pid === undefined) {
    throw new ModelArchiveError(ErrorCode.SERVER_NOT_RUNNING, `model-server is not currently running (no live pid in ${pidFile}).`, { details: { pidFile } });
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(pidFile, { force: true });
  return pid;
};
