import v8 from 'node:v8';

/**
 * Garbage collector settings for the `model-server` process (and its Node worker processes), set once at start-up.
 *
 * Every request brings its body as fresh memory outside the JavaScript heap, while the heap itself stays small
 * (10-20 MB). With V8's own heuristics the old-generation limit then sits a few MB above the live size, and V8 starts a
 * concurrent mark-compact whenever that slack is smaller than the young generation: measured on the server
 * (docs/performance.md, "Server: where the cost per request goes"), a full collection every 40-150 requests, whose
 * marking threads cost about 400 µs of CPU per request, more than a third of the model's own run. These flags let the
 * old generation grow to four times its live size before the next full collection and start marking only when 90% of
 * that room is used, so full collections become rare (2-5 per 5,000 requests in the same measurement).
 *
 * Only heuristics read at each collection are changed (`--single-threaded-gc`, which changes how the collector works,
 * aborts the process at its first full collection when set after start-up). A flag the user gave Node on its command
 * line (`node --heap-growing-percent=100 ...`) is left as given; `=0` restores V8's default for it.
 */
export const GC_TUNING_FLAGS: readonly string[] = [
  '--heap-growing-percent=300',
  '--incremental-marking-soft-trigger=90',
  '--incremental-marking-hard-trigger=95',
];

/** A flag's name, spelled with dashes (V8 reads `--heap_growing_percent` as the same flag). */
const flagName = (flag: string): string => (flag.split('=')[0] ?? '').replace(/^-+/, '').replaceAll('_', '-');

/**
 * Sets {@link GC_TUNING_FLAGS} on this process's V8, skipping those named in `execArgv` (Node's own command line, where
 * V8 flags go; `NODE_OPTIONS` does not accept these). Returns the flags set.
 */
export const tuneGarbageCollector = (execArgv: readonly string[] = process.execArgv): string[] => {
  const given = new Set(execArgv.map(flagName));
  const applied = GC_TUNING_FLAGS.filter((flag) => !given.has(flagName(flag)));
  for (const flag of applied) v8.setFlagsFromString(flag);
  return applied;
};
