/** Which Python runs the handlers, and where the worker package lives. */
import { fileURLToPath } from 'node:url';

/** Folder holding the `model_archiver_worker` package (`packages/runtime/python`, shipped with the package). */
export const PYTHON_WORKER_ROOT = fileURLToPath(new URL('../../python/', import.meta.url));

/**
 * The interpreter to start: `explicit` (`--python`), else `$PYTHON`, else `python3` on the PATH; `source` says which
 * (for error messages).
 */
export const pythonCommand = (explicit: string | undefined, env: NodeJS.ProcessEnv): { command: string; source: string } => {
  if (explicit !== undefined && explicit !== '') return { command: explicit, source: '--python' };
  const fromEnv = env['PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return { command: fromEnv, source: '$PYTHON' };
  return { command: 'python3', source: 'python3 on the PATH' };
};
