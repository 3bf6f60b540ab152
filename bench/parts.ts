// Which parts of `npm run bench` run: all of them, or those named in BENCH_PARTS (comma-separated), e.g.
// `BENCH_PARTS=delivery,decorators npm run bench` for a run of about a minute. BENCH_ROUNDS (default 3) sets how
// many times the delivery, Pipelines and store ways run, in turn, and the scale-out's three runs; their ratios are the
// median of the rounds'.
//   delivery     raw-batch, queue, queue-burst (the ratios against the raw way)
//   pipelines    pipelines-raw, pipelines-queue, pipelines-burst: the same through the Pipelines API (its ratios)
//   naive        naive, naive-v4-agent (the speedups; needs delivery for the ratios)
//   stores       sqlite-queue, sqlite-burst, redis-queue, redis-burst: queue and queue-burst on the durable stores,
//                in the same rounds as queue and queue-burst (run for them when delivery is not) (their ratios)
//   scale-out    1, 2 and 3 application instances (processes) sharing one Redis queue (its ratio)
//   decorators   @TrackEvent beside the same call made by hand
//   redis-lease  one LEASE at 1,000 and 1,000,000 queued operations (a minute or more: loading a million)
//   redis-stored how long `stored` takes on the Redis store, 1 to 1,000 calls a tick (figures only)

/** The parts, in the order they run. */
export const PARTS = [
  'delivery',
  'pipelines',
  'naive',
  'stores',
  'scale-out',
  'decorators',
  'redis-lease',
  'redis-stored',
] as const;
export type Part = (typeof PARTS)[number];

/** The parts BENCH_PARTS names (all when unset or empty); throws on a name that is not a part. */
export function selectedParts(value = process.env.BENCH_PARTS): ReadonlySet<Part> {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(PARTS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_PARTS: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return new Set(names.length > 0 ? (names as Part[]) : PARTS);
}

/** How many rounds BENCH_ROUNDS asks for (default 3); throws unless it is a whole number from 1. */
export function benchRounds(value = process.env.BENCH_ROUNDS): number {
  const rounds = value === undefined || value.trim() === '' ? 3 : Number(value);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`BENCH_ROUNDS: expected a whole number from 1, got ${value}`);
  return rounds;
}
