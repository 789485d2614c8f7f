import { realpath } from 'node:fs/promises';
import path from 'node:path';

import { ErrorCode, ModelArchiveError } from '@model-archiver/core';

/** Where archives may be registered from. */
export interface ModelUrlPolicy {
  /** The model store folder. */
  modelStore?: string;
  /** Extra files or folders (absolute) allowed besides the model store. */
  allowedPaths?: readonly string[];
}

const notAllowed = (url: string, why: string): ModelArchiveError =>
  new ModelArchiveError(ErrorCode.MODEL_URL_NOT_ALLOWED, `${why}: ${url}`, { details: { url } });

const inside = (child: string, parent: string): boolean => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

const realOrUndefined = async (target: string): Promise<string | undefined> => {
  try {
    return await realpath(target);
  } catch {
    return undefined;
  }
};

/**
 * Resolves the `url` of a register call to a local archive path. Only names inside the model store (or on the
 * allow-list) are accepted: remote and `file:` URLs, `..` segments, NUL bytes and symbolic links leading out are
 * refused with `MODEL_URL_NOT_ALLOWED` (the ShellTorch lesson, docs/user-asks.md row 22); a missing file is
 * `ARCHIVE_NOT_FOUND`.
 */
export const resolveModelUrl = async (url: string, policy: ModelUrlPolicy): Promise<string> => {
  if (url.trim() === '') throw new ModelArchiveError(ErrorCode.INVALID_OPTION, 'Parameter url is required.');
  if (url.includes('\0')) throw notAllowed(url.replaceAll('\0', '\\0'), 'NUL byte in url');
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) throw notAllowed(url, 'Remote and scheme URLs are not allowed, only archives in the model store');
  if (url.split(/[\\/]/).includes('..')) throw notAllowed(url, 'Relative path is not allowed in url');
  const roots: string[] = [];
  if (policy.modelStore !== undefined) {
    const store = await realOrUndefined(path.resolve(policy.modelStore));
    if (store !== undefined) roots.push(store);
  }
  for (const allowed of policy.allowedPaths ?? []) {
    const real = await realOrUndefined(path.resolve(allowed));
    if (real !== undefined) roots.push(real);
  }
  let candidate: string;
  if (path.isAbsolute(url)) candidate = url;
  else if (policy.modelStore !== undefined) candidate = path.join(path.resolve(policy.modelStore), url);
  else throw notAllowed(url, 'Model store has not been configured; cannot register');
  const real = await realOrUndefined(candidate);
  const lexicallyAllowed = roots.length > 0 && [path.resolve(policy.modelStore ?? '/nonexistent'), ...(policy.allowedPaths ?? []).map((p) => path.resolve(p))].some((root) => inside(path.resolve(candidate), root));
  if (real === undefined) {
    if (!lexicallyAllowed) throw notAllowed(url, 'Only archives in the model store can be registered');
    throw new ModelArchiveError(ErrorCode.ARCHIVE_NOT_FOUND, `Model not found at: ${url}`, { details: { url } });
  }
  if (!roots.some((root) => inside(real, root))) throw notAllowed(url, 'Only archives in the model store can be registered');
  return real;
};
