/**
 * What a JavaScript module exports, found by reading its source, never by running it.
 *
 * Limits (docs/lint-rules.md): exports built at run time (`Object.assign(module.exports, ...)`, computed keys,
 * `export * from` another file, re-exports through helper functions) cannot be seen; they make the result
 * `complete: false` and rules then only note that the handler could not be checked.
 */
export interface ModuleExports {
  /** Named exports (`default` included when there is a default export). */
  names: Set<string>;
  /** Names of exported classes (`export class A`, `export default class A` -> `default`). */
  classes: Set<string>;
  /** False when the source has exports this scanner cannot enumerate (`export *`, dynamic CommonJS exports). */
  complete: boolean;
}

/** Blanks out comments, string and template literal contents (keeping quotes and newlines) so regexes see only code. */
export function stripCommentsAndStrings(source: string): string {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] as string;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i += 1;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      out += c;
      i += 1;
      while (i < n && source[i] !== c) {
        if (source[i] === '\\') i += 1;
        else if (c !== '`' && source[i] === '\n') break;
        out += source[i] === '\n' ? '\n' : ' ';
        i += 1;
      }
      if (i < n) out += source[i];
      i += 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

const IDENT = '[A-Za-z_$][\\w$]*';

/** Top-level keys of an object literal source `{ a, b: 1, c() {}, 'd': 2, ...rest }`; null if it cannot tell. */
function objectLiteralKeys(body: string): string[] | null {
  const keys: string[] = [];
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i];
    if (c === '{' || c === '(' || c === '[') depth += 1;
    else if (c === '}' || c === ')' || c === ']') depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') continue;
    if (part.startsWith('...')) return null;
    const match = new RegExp(`^(?:async\\s+)?(?:get\\s+|set\\s+)?\\*?\\s*(${IDENT})`).exec(part);
    if (!match?.[1]) return null;
    keys.push(match[1]);
  }
  return keys;
}

/** Finds the body of a `{ ... }` block starting at `open` (index of `{`). */
function braceBody(code: string, open: number): string | null {
  let depth = 0;
  for (let i = open; i < code.length; i += 1) {
    if (code[i] === '{') depth += 1;
    else if (code[i] === '}') {
      depth -= 1;
      if (depth === 0) return code.slice(open + 1, i);
    }
  }
  return null;
}

function scanEsm(code: string, result: ModuleExports): void {
  for (const m of code.matchAll(new RegExp(`\\bexport\\s+(?:async\\s+)?function\\s*\\*?\\s*(${IDENT})`, 'g'))) result.names.add(m[1] as string);
  for (const m of code.matchAll(new RegExp(`\\bexport\\s+(?:abstract\\s+)?class\\s+(${IDENT})`, 'g'))) {
    result.names.add(m[1] as string);
    result.classes.add(m[1] as string);
  }
  for (const m of code.matchAll(/\bexport\s+(?:const|let|var)\s+([^=;]+?)\s*=/g)) {
    const decl = (m[1] as string).trim();
    const names = decl.startsWith('{') || decl.startsWith('[') ? decl.slice(1, -1).split(',') : [decl];
    for (const name of names) {
      const id = new RegExp(`(${IDENT})\\s*$`).exec(name.split('=')[0]?.trim() ?? '');
      if (id?.[1]) result.names.add(id[1]);
    }
  }
  if (/\bexport\s+default\b/.test(code)) result.names.add('default');
  if (/\bexport\s+default\s+(?:abstract\s+)?class\b/.test(code)) result.classes.add('default');
  for (const m of code.matchAll(/\bexport\s*(?:type\s*)?\{([^}]*)\}/g)) {
    for (const spec of (m[1] as string).split(',')) {
      const parts = spec.trim().split(/\s+as\s+/);
      const name = (parts[1] ?? parts[0] ?? '').trim();
      if (name !== '') result.names.add(name);
    }
  }
  for (const m of code.matchAll(new RegExp(`\\bexport\\s*\\*\\s*(?:as\\s+(${IDENT}))?`, 'g'))) {
    if (m[1]) result.names.add(m[1]);
    else result.complete = false;
  }
}

function scanCommonJs(code: string, result: ModuleExports): void {
  for (const m of code.matchAll(new RegExp(`\\b(?:module\\.)?exports\\.(${IDENT})\\s*=(?!=)`, 'g'))) result.names.add(m[1] as string);
  for (const m of code.matchAll(new RegExp(`\\b(?:module\\.)?exports\\[\\s*['"\`](${IDENT})['"\`]\\s*\\]\\s*=(?!=)`, 'g'))) {
    result.names.add(m[1] as string);
  }
  for (const m of code.matchAll(/\bmodule\.exports\s*=(?!=)\s*/g)) {
    result.names.add('default');
    const at = (m.index ?? 0) + m[0].length;
    const rest = code.slice(at);
    if (rest.startsWith('{')) {
      const body = braceBody(code, at);
      const keys = body === null ? null : objectLiteralKeys(body);
      if (keys === null) result.complete = false;
      else keys.forEach((k) => result.names.add(k));
    } else if (/^class\b/.test(rest)) {
      result.classes.add('default');
    } else if (!/^(?:async\s+)?function\b/.test(rest)) {
      // `module.exports = something`: its properties are unknown without running the code.
      result.complete = false;
    }
  }
  if (/\bObject\.(?:assign|defineProperty|defineProperties)\s*\(\s*(?:module\.)?exports\b/.test(code)) result.complete = false;
}

/**
 * Lists a module's exports from its source. `.cjs` files are read as CommonJS, `.mjs` as ES modules, `.js` as both
 * (its package.json `type` decides at run time; the union is reported).
 *
 * @example
 * scanModuleExports('export async function handle() {}', 'handler.mjs').names.has('handle'); // true
 */
export function scanModuleExports(source: string, fileName: string): ModuleExports {
  const code = stripCommentsAndStrings(source);
  const result: ModuleExports = { names: new Set(), classes: new Set(), complete: true };
  if (!fileName.endsWith('.cjs')) scanEsm(code, result);
  if (!fileName.endsWith('.mjs')) scanCommonJs(code, result);
  return result;
}
