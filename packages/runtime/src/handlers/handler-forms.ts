/**
 * The handler forms, adapted to one interface: a function `handle(batch, context)` (with an optional exported
 * `initialize(context)` / `close(context)`), a class instance with `initialize` + `handle`, or a class instance with
 * `preprocess` / `inference` / `postprocess` steps. Built-in handlers are classes of the second or third kind.
 */
import { ModelArchiveError } from '@model-archiver/core/read';

import type { HandlerContext, HandlerRequest } from '../context.js';

/** A resolved handler, whatever its form. */
export interface HandlerRuntime {
  /** How it was resolved (`handler.mjs:handle (function)`, `MyHandler (class)`, `image_classifier (built-in)`). */
  readonly description: string;
  initialize(context: HandlerContext): Promise<void>;
  handle(batch: HandlerRequest[], context: HandlerContext): Promise<unknown>;
  close(context: HandlerContext): Promise<void>;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** The shape of a class handler instance. */
export interface HandlerInstance {
  initialize?(context: HandlerContext): unknown;
  handle?(batch: HandlerRequest[], context: HandlerContext): unknown;
  preprocess?(batch: HandlerRequest[], context: HandlerContext): unknown;
  inference?(data: unknown, context: HandlerContext): unknown;
  postprocess?(data: unknown, context: HandlerContext): unknown;
  close?(context: HandlerContext): unknown;
}

/** True for a value declared with `class` (not a plain function). */
export const isClass = (value: unknown): value is new () => unknown =>
  typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));

const isFunction = (value: unknown): value is AnyFunction => typeof value === 'function';

/** Function mode: `handle(batch, context)`; `initialize` / `close` are the module's exports of those names, if any. */
export function functionHandler(description: string, handle: AnyFunction, hooks: { initialize?: unknown; close?: unknown }): HandlerRuntime {
  const { initialize, close } = hooks;
  return {
    description,
    initialize: async (context) => {
      if (isFunction(initialize) && initialize !== handle) await initialize(context);
    },
    handle: async (batch, context) => handle(batch, context),
    close: async (context) => {
      if (isFunction(close) && close !== handle) await close(context);
    },
  };
}

/** Class mode on an instance (or a plain object with the same methods). */
export function instanceHandler(description: string, instance: HandlerInstance): HandlerRuntime {
  const hasSteps = isFunction(instance.inference);
  if (!isFunction(instance.handle) && !hasSteps) {
    throw new ModelArchiveError(
      'HANDLER_INVALID',
      `Handler ${description} has neither a handle(batch, context) method nor preprocess/inference/postprocess steps`,
      { details: { handler: description } },
    );
  }
  const handle = isFunction(instance.handle)
    ? (batch: HandlerRequest[], context: HandlerContext): unknown => instance.handle!(batch, context)
    : async (batch: HandlerRequest[], context: HandlerContext): Promise<unknown> => {
        const pre = isFunction(instance.preprocess) ? await instance.preprocess(batch, context) : batch;
        const out = await instance.inference!(pre, context);
        return isFunction(instance.postprocess) ? instance.postprocess(out, context) : out;
      };
  return {
    description,
    initialize: async (context) => {
      if (isFunction(instance.initialize)) await instance.initialize(context);
    },
    handle: async (batch, context) => handle(batch, context),
    close: async (context) => {
      if (isFunction(instance.close)) await instance.close(context);
    },
  };
}

/** Class mode on a class: instantiated with no arguments, as the reference loaders do. */
export function classHandler(description: string, HandlerClass: new () => unknown): HandlerRuntime {
  let instance: unknown;
  try {
    instance = new HandlerClass();
  } catch (cause) {
    throw new ModelArchiveError('HANDLER_INIT_FAILED', `Constructing handler class ${description} failed: ${(cause as Error).message}`, {
      cause,
      details: { handler: description, stack: (cause as Error).stack },
    });
  }
  return instanceHandler(description, instance as HandlerInstance);
}
