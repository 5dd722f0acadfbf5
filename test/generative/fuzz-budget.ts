/**
 * How long a generative suite runs and from which seed. `npm test` runs each at its fixed default;
 * `SLUICE_FUZZ_MINUTES=N` runs longer (`npm run fuzz -- --minutes N` sets it), `SLUICE_FUZZ_SEED`
 * replays a run whose failure printed that seed, and `SLUICE_FUZZ_PATH` (printed with it) goes
 * straight to the shrunk case.
 */
export interface FuzzBudget {
  seed: number;
  /** Time for generating and running cases; shrinking a failure counts within it. */
  timeLimitMs: number;
  path?: string;
  /** Whether the run was asked for by the variables rather than the `npm test` default. */
  extended: boolean;
}

const defaultSeed = 1828686265;

export function fuzzBudget(defaultSeconds: number): FuzzBudget {
  const minutes = Number(process.env.SLUICE_FUZZ_MINUTES ?? '');
  const given = process.env.SLUICE_FUZZ_SEED;
  const extended = Number.isFinite(minutes) && minutes > 0;
  // `npm test` replays one known seed, so CI is not red by chance; longer runs search afresh
  const seed =
    given !== undefined && given !== '' ? Number(given) : extended ? Math.floor(Math.random() * 2 ** 31) : defaultSeed;
  if (!Number.isInteger(seed)) throw new Error(`SLUICE_FUZZ_SEED must be an integer, not ${given}`);
  const path = process.env.SLUICE_FUZZ_PATH || undefined;
  return {
    seed,
    timeLimitMs: extended ? minutes * 60_000 : defaultSeconds * 1000,
    extended,
    ...(path === undefined ? {} : { path }),
  };
}
