/** A handler string split into its module (a module name or a path) and the function it names, if any. */
export interface ParsedHandler {
  /** Module name or path: everything before `:function` (the whole string, trimmed, when no function is named). */
  module: string;
  /** The function after the last `:`, when that text is an identifier. */
  function?: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** `C:\…` or `C:/…`: the colon of a Windows drive letter belongs to the path. */
const DRIVE_LETTER = /^[A-Za-z]:[\\/]/;

/**
 * Splits a handler string `module[:function]` the same way for the builder, the linter and the runtime.
 *
 * The string is trimmed. The function is the text after the LAST `:` when it is an identifier
 * (`[A-Za-z_$][A-Za-z0-9_$]*`) and something comes before the colon; otherwise the colon belongs to the module path.
 * A trailing `:` names no function (`mod:` is module `mod`, as the reference loaders read an empty function).
 * The colon of a Windows drive letter (one ASCII letter at the start, then `:` and `\` or `/`) always belongs to the
 * path, so `C:\m\h.py` is a path, `C:\m\h.py:fn` a path and a function; `C:x` has no slash after the colon and is
 * module `C`, function `x`, as the reference Python loaders read it.
 *
 * @example
 * parseHandlerString('dir/h.py:fn'); // { module: 'dir/h.py', function: 'fn' }
 * parseHandlerString('C:\\m\\h.py'); // { module: 'C:\\m\\h.py' }
 * parseHandlerString('C:x'); // { module: 'C', function: 'x' }
 */
export function parseHandlerString(handler: string): ParsedHandler {
  const text = handler.trim();
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || (colon === 1 && DRIVE_LETTER.test(text))) return { module: text };
  const module = text.slice(0, colon);
  const fn = text.slice(colon + 1);
  if (fn === '') return { module };
  return IDENTIFIER.test(fn) ? { module, function: fn } : { module: text };
}
