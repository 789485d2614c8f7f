/**
 * The reference cases in fixtures/reference-fixture/cases: what the real MMS / TorchServe archivers were run with and
 * what they produced, turned into commands for our binary.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO_ROOT } from './cli-harness.js';

export const CASES_DIR = join(REPO_ROOT, 'fixtures/reference-fixture/cases');

/** One reference run. */
export interface ReferenceCase {
  name: string;
  tool: 'mms' | 'ts';
  /** The reference tool's arguments, `<scratch>` still in place. */
  args: string[];
  /** The reference tool's exit code. */
  exitCode: number;
  modelName: string;
  format: 'default' | 'zip-store' | 'tgz' | 'no-archive';
  /** `--export-path`, `<scratch>` still in place. */
  exportPath: string;
  /** The archive the reference tool wrote (absent for errors and `no-archive`). */
  archive?: string;
  /** For `no-archive`: the folder listing the reference tool produced. */
  listing?: string;
}

const SUFFIX = { default: '.mar', 'zip-store': '.mar', tgz: '.tar.gz', 'no-archive': '' } as const;

/** The value after `flag` in `args`, or after `flag=`. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  if (index >= 0) return args[index + 1];
  const joined = args.find((arg) => arg.startsWith(`${flag}=`));
  return joined?.slice(flag.length + 1);
}

function loadCase(name: string): ReferenceCase {
  const dir = join(CASES_DIR, name);
  const command = readFileSync(join(dir, 'command.txt'), 'utf8').trim();
  const [, program, ...args] = command.split(/\s+/);
  const exitCode = Number(/exit code: (\d+)/.exec(readFileSync(join(dir, 'rc.txt'), 'utf8'))?.[1]);
  const format = (flagValue(args, '--archive-format') ?? 'default') as ReferenceCase['format'];
  const modelName = flagValue(args, '--model-name') ?? '';
  const exportPath = flagValue(args, '--export-path') ?? '<scratch>';
  const reference: ReferenceCase = {
    name,
    tool: program === 'ts-archiver' ? 'ts' : 'mms',
    args,
    exitCode,
    modelName,
    format,
    exportPath,
  };
  const files = readdirSync(dir);
  const archive = files.find((file) => file === `${modelName}${SUFFIX[format]}` && format !== 'no-archive');
  if (archive !== undefined) reference.archive = join(dir, archive);
  if (files.includes('listing.txt')) reference.listing = readFileSync(join(dir, 'listing.txt'), 'utf8');
  return reference;
}

/** Every reference case, by name. */
export function loadReferenceCases(): ReferenceCase[] {
  return readdirSync(CASES_DIR)
    .sort()
    .map((name) => loadCase(name));
}

/** The output path a case writes, with `<scratch>` replaced. */
export function outputPathOf(reference: ReferenceCase, scratch: string): string {
  return join(reference.exportPath.replaceAll('<scratch>', scratch), `${reference.modelName}${SUFFIX[reference.format]}`);
}

/** The case's arguments for our binary: `<scratch>` replaced, plus `extra` flags. */
export function argsFor(reference: ReferenceCase, scratch: string, extra: readonly string[] = []): string[] {
  return [...reference.args.map((arg) => arg.replaceAll('<scratch>', scratch)), ...extra];
}

/** Regular files of a `no-archive` listing (`f <mode> <size> <path>` lines of its `find` section). */
export function filesOfListing(listing: string): string[] {
  return listing
    .split('\n')
    .map((line) => /^f \d+ \d+ (.+)$/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

/** The manifest printed verbatim in a `no-archive` listing. */
export function manifestOfListing(listing: string): Record<string, unknown> {
  const start = listing.indexOf('{', listing.indexOf('## MAR-INF/MANIFEST.json'));
  const end = listing.indexOf('\n}', start);
  return JSON.parse(listing.slice(start, end + 2)) as Record<string, unknown>;
}
