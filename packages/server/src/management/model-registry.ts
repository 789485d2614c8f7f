import { ErrorCode, MODEL_NAME_MAX_LENGTH, ModelArchiveError, findModelNameProblem } from '@model-archiver/core';

import { ModelRunner } from '../workers/model-runner.js';
import type { ModelRunnerOptions } from '../workers/model-runner.js';

interface ModelVersions {
  /** The version answering requests that name none: the first registered. */
  defaultVersion: string;
  versions: Map<string, ModelRunner>;
}

/** What {@link ModelRegistry.register} needs; `name` may be absent (the archive's model name is used). */
export type RegisterRequest = Omit<ModelRunnerOptions, 'name'> & { name?: string; initialWorkers: number };

/**
 * The registered models, by name and version. Registration loads the archive before the model becomes visible (a bad
 * archive is refused at once); unregistering hides the model at once, lets its queued and running requests finish,
 * then stops its workers.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelVersions>();

  /** Model names, sorted. */
  names(): string[] {
    return [...this.models.keys()].sort();
  }

  /** Every runner (all versions). */
  all(): ModelRunner[] {
    return [...this.models.values()].flatMap((entry) => [...entry.versions.values()]);
  }

  /** Versions of a model, default first; throws `MODEL_NOT_FOUND`. */
  versionsOf(name: string): ModelRunner[] {
    const entry = this.models.get(name);
    if (entry === undefined) throw new ModelArchiveError(ErrorCode.MODEL_NOT_FOUND, `Model not found: ${name}`, { details: { model: name } });
    const first = entry.versions.get(entry.defaultVersion);
    return [...(first === undefined ? [] : [first]), ...[...entry.versions.values()].filter((runner) => runner !== first)];
  }

  /** The runner of a model version (default version when `version` is absent); throws `MODEL_NOT_FOUND`. */
  get(name: string, version?: string): ModelRunner {
    const entry = this.models.get(name);
    if (entry === undefined) throw new ModelArchiveError(ErrorCode.MODEL_NOT_FOUND, `Model not found: ${name}`, { details: { model: name } });
    const runner = entry.versions.get(version ?? entry.defaultVersion);
    if (runner === undefined) {
      throw new ModelArchiveError(ErrorCode.MODEL_NOT_FOUND, `Model version: ${version} does not exist for model: ${name}`, { details: { model: name, version } });
    }
    return runner;
  }

  /** Loads and registers a model version. Throws `MODEL_ALREADY_REGISTERED`, `MODEL_NAME_INVALID` (core's rule, checked before loading) or the load error. */
  async register(request: RegisterRequest, probeName: (archivePath: string) => Promise<string>): Promise<ModelRunner> {
    const name = request.name ?? (await probeName(request.archivePath));
    // Core's model-name rule (pattern, at most MODEL_NAME_MAX_LENGTH characters, no "..", no trailing "."): the names
    // `create` accepts are the names the server serves. The answer quotes at most 64 characters of the name.
    const problem = findModelNameProblem(name);
    if (problem !== undefined) {
      const shown = name.length > 64 ? `${name.slice(0, 64)}... (${name.length} characters)` : name;
      throw new ModelArchiveError(
        ErrorCode.MODEL_NAME_INVALID,
        `Invalid model name: ${shown}. A name is 1 to ${MODEL_NAME_MAX_LENGTH} letters, digits, "_", "-" and "." starting with a letter or digit, without ".." or a trailing ".".`,
        { details: { reason: problem } },
      );
    }
    const runner = new ModelRunner({ ...request, name });
    try {
      if (request.initialWorkers > 0) await runner.scale(request.initialWorkers, Math.max(request.initialWorkers, request.settings.maxWorkers));
      else await runner.probe();
    } catch (error) {
      await runner.close();
      throw error;
    }
    const version = runner.info?.version ?? '1.0';
    const entry = this.models.get(name);
    if (entry?.versions.has(version) === true) {
      await runner.close();
      throw new ModelArchiveError(ErrorCode.MODEL_ALREADY_REGISTERED, `Model version ${version} is already registered for model ${name}.`, {
        details: { model: name, version },
      });
    }
    if (entry === undefined) this.models.set(name, { defaultVersion: version, versions: new Map([[version, runner]]) });
    else entry.versions.set(version, runner);
    return runner;
  }

  /**
   * Removes a model version (all versions when `version` is absent), waits up to `drainMs` for its requests and stops
   * its workers. Throws `MODEL_NOT_FOUND`.
   */
  async unregister(name: string, version: string | undefined, drainMs: number): Promise<ModelRunner[]> {
    const entry = this.models.get(name);
    const removed = version === undefined ? this.versionsOf(name) : [this.get(name, version)];
    for (const runner of removed) entry?.versions.delete(runner.info?.version ?? '');
    if (entry !== undefined && entry.versions.size === 0) this.models.delete(name);
    else if (entry !== undefined && !entry.versions.has(entry.defaultVersion)) entry.defaultVersion = entry.versions.keys().next().value ?? '';
    await Promise.all(
      removed.map(async (runner) => {
        await runner.drain(drainMs);
        await runner.close();
      }),
    );
    return removed;
  }
}
