/**
 * vitest setup file: makes the property tests (fast-check) repeatable. `npm test` and CI run them from one fixed seed,
 * so a run fails or passes the same way every time; `FC_SEED=<integer>` replays another seed and `FC_SEED=random`
 * draws a new one per property (fast-check prints it with any counterexample). Searching further is a separate,
 * deliberate run: `FC_SEED=random FC_RUNS=20000 npx vitest run <file>`. FC_RUNS replaces the run count of every
 * property, as each reads it with `fc.readConfigureGlobal().numRuns ?? <its own count>`.
 */
import fc from 'fast-check';

const FIXED_SEED = 20261203;

const seedText = process.env.FC_SEED;
const runsText = process.env.FC_RUNS;

/** @type {import('fast-check').GlobalParameters} */
const parameters = {};
if (seedText !== 'random') {
  const seed = seedText === undefined || seedText === '' ? FIXED_SEED : Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(seedText)}`);
  parameters.seed = seed;
}
if (runsText !== undefined && runsText !== '') {
  const numRuns = Number(runsText);
  if (!Number.isSafeInteger(numRuns) || numRuns < 1) throw new Error(`FC_RUNS must be a positive integer, not ${JSON.stringify(runsText)}`);
  parameters.numRuns = numRuns;
}
fc.configureGlobal(parameters);
