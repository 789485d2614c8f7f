import { closest } from './suggest.js';

/** What `--version` means here, said whenever it is likely to be misread. */
export const VERSION_HINT =
  '-v/--model-version (or --version, as in torch-model-archiver) is the model version written by create; ' +
  "model-archiver's own version is -V/--tool-version";

/** What `model-archiver` prints on stderr for a usage mistake (exit code 2) without `--json`. */
export const usageErrorText = (message: string): string =>
  `model-archiver: usage error: ${message}\nRun 'model-archiver --help' for the list of options.\n`;

/** A usage mistake to report: the message, plus details for `--json`. */
export interface UsageProblem {
  message: string;
  details: Record<string, unknown>;
}

/**
 * The first argument when it is meant as a command but names none (`inspct`): `create` is the default command and
 * takes no positional argument, so a bare first word is always a command name.
 */
export function unknownCommand(argv: readonly string[], commands: readonly string[]): UsageProblem | undefined {
  const [first] = argv;
  if (first === undefined || first.startsWith('-') || commands.includes(first)) return undefined;
  const suggestion = closest(first, commands);
  const hint = suggestion === undefined ? ` (commands: ${commands.join(', ')})` : `; did you mean ${suggestion}?`;
  return {
    message: `Unknown command '${first}'${hint}`,
    details: { command: first, ...(suggestion === undefined ? {} : { suggestion }), commands },
  };
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const asFlag = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/**
 * Rewrites yargs' `Unknown argument(s): model-nam, modelNam` as `Unknown flag --model-nam; did you mean --model-name?`:
 * camel-case twins dropped, dashes added, the closest known flag of the command suggested.
 */
export function unknownFlags(message: string, known: readonly string[], argv: readonly string[]): UsageProblem | undefined {
  const match = /^Unknown arguments?: (.+)$/.exec(message);
  if (match === null) return undefined;
  const given = (name: string): boolean =>
    argv.some((arg) => arg === asFlag(name) || arg.startsWith(`${asFlag(name)}=`) || arg === `--no-${name}`);
  const listed = (match[1] ?? '').split(', ');
  const flagNames = [...new Set(listed.map(kebab))].filter(given);
  const stray = listed.filter((name) => !given(kebab(name)) && !flagNames.includes(kebab(name)));
  const flags = known.filter((k) => k !== '$0');
  const suggestions: Record<string, string> = {};
  const parts = flagNames.map((name) => {
    const suggestion = closest(name, flags);
    if (suggestion === undefined) return asFlag(name);
    suggestions[asFlag(name)] = asFlag(suggestion);
    return `${asFlag(name)} (did you mean ${asFlag(suggestion)}?)`;
  });
  const sentences: string[] = [];
  if (parts.length > 0) sentences.push(`Unknown ${parts.length === 1 ? 'flag' : 'flags'} ${parts.join(', ')}`);
  if (stray.length > 0) sentences.push(`Unexpected ${stray.length === 1 ? 'argument' : 'arguments'} ${stray.map((a) => `'${a}'`).join(', ')}`);
  return { message: sentences.join('; '), details: { flags: flagNames.map(asFlag), suggestions, arguments: stray } };
}
