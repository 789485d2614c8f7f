import { ErrorCode, MODEL_NAME_MAX_LENGTH, ModelArchiveError, findModelNameProblem } from '@model-archiver/core';

import type { ModelRunner } from '../workers/model-runner.js';

interface ModelVersions {
  /** The version answering requests that name none: the first registered, or the one given to `setDefault`. */
  defaultVersion: string;
  versions: Map<string, ModelRunner>;
}

/**
 * The registered models, by name and version. As in TorchServe, a model is listed as soon as its archive has been
 * read (its workers start afterwards, and their state shows in the describe answer); unregistering hides the model at
 * once, lets its queued and running requests finish, then stops its workers.
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelVersions>();

  /** Model names, sorted. */
  names(): string[] {
    return [...this.models.keys()].sort();
  }

  /** Whether a model of that name is registered (any version). */
  has(name: string): boolean {
    return this.models.has(name);
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

  /**
   * Lists a new model version (no worker is started here). The first version of a name becomes its default. Throws
   * `MODEL_NAME_INVALID` (core's rule) or `MODEL_ALREADY_REGISTERED`.
   */
  add(runner: ModelRunner): void {
    const { name, version } = runner;
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
    const entry = this.models.get(name);
    if (entry?.versions.has(version) === true) {
      throw new ModelArchiveError(ErrorCode.MODEL_ALREADY_REGISTERED, `Model version ${version} is already registered for model ${name}.`, {
        details: { model: name, version },
      });
    }
    if (entry === undefined) this.models.set(name, { defaultVersion: version, versions: new Map([[version, runner]]) });
    else entry.versions.set(version, runner);
  }

  /** Makes `version` the one answering requests that name none (`PUT /models/{m}/{v}/set-default`); throws `MODEL_NOT_FOUND`. */
  setDefault(name: string, version: string): void {
    this.get(name, version);
    const entry = this.models.get(name);
    if (entry !== undefined) entry.defaultVersion = version;
  }

  /**
   * Removes a model version (the default one when `version` is absent, as TorchServe does), waits up to `drainMs` for
   * its requests and stops its workers. Throws `MODEL_NOT_FOUND`, and `DEFAULT_VERSION_IN_USE` for the default version
   * while the model has others (set another default first). `force` removes it anyway (a registration that failed).
   */
  async unregister(name: string, version: string | undefined, drainMs: number, force = false): Promise<ModelRunner> {
    const runner = this.get(name, version);
    const entry = this.models.get(name);
    if (entry === undefined) throw new ModelArchiveError(ErrorCode.MODEL_NOT_FOUND, `Model not found: ${name}`, { details: { model: name } });
    if (!force && runner.version === entry.defaultVersion && entry.versions.size > 1) {
      throw new ModelArchiveError(ErrorCode.DEFAULT_VERSION_IN_USE, `Cannot remove default version for model ${name}`, {
        details: { model: name, version: runner.version },
      });
    }
    entry.versions.delete(runner.version);
    if (entry.versions.size === 0) this.models.delete(name);
    else if (!entry.versions.has(entry.defaultVersion)) entry.defaultVersion = entry.versions.keys().next().value ?? '';
    await runner.drain(drainMs);
    await runner.close();
    return runner;
  }
}
