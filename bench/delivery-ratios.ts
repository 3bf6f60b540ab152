import { median, medianItem } from './measure.js';
import type { Way } from './protocol.js';
import { cpuUsPerEvent, eventsPerS, fixed, line, type Measured, perThousand, sinkBound } from './report.js';
import { checkRatio, type Comparison, skipRatio } from './targets.js';

// The delivery part's ratios, each with its target (see targets.ts), then ratios kept as information.

/** What some ways measured (in one round of the delivery ways, or once). */
export type Ways = Partial<Record<Way, Measured>>;

/** The ways run in rounds (BENCH_ROUNDS), one after the other in each. */
export const DELIVERY_WAYS: readonly Way[] = ['raw-batch', 'queue', 'queue-burst'];
/** The same through the Pipelines API (part `pipelines`), in the same rounds. */
export const PIPELINES_WAYS: readonly Way[] = ['pipelines-raw', 'pipelines-queue', 'pipelines-burst'];
/** The in-memory queue ways the durable stores are compared with (part `stores` runs them when `delivery` does not). */
export const MEMORY_WAYS: readonly Way[] = ['queue', 'queue-burst'];
/** The same on the durable stores (part `stores`), in the same rounds. */
export const STORE_WAYS: readonly Way[] = ['sqlite-queue', 'sqlite-burst', 'redis-queue', 'redis-burst'];
/** Every way run in rounds. */
const ROUND_WAYS: readonly Way[] = [...DELIVERY_WAYS, ...PIPELINES_WAYS, ...STORE_WAYS];

/**
 * What caps a ratio of ways on this machine: its highest possible value there, and what sets it (undefined when a
 * way it reads was not run).
 */
export type Ceiling = (get: (way: Way) => Measured | undefined) => { value: number; what: string } | undefined;

/**
 * Checks one ratio. Of ways run in rounds alone: computed in each round (ways measured next to each other) and the
 * median of the rounds' checked. With another way: computed once, from each way's median round. Not measured
 * when a way it needs is missing (not selected, or it failed: that error fails the run already).
 */
export function ratio(
  [byRound, measured]: [Ways[], Ways],
  needs: readonly Way[],
  name: string,
  compute: (get: (way: Way) => Measured) => number,
  comparison: Comparison,
  target: number,
  digits = 3,
  ceiling?: Ceiling,
): void {
  // NOTE: a ratio short of its target says so with its ceiling, when the ceiling is short of the target too.
  const bound = (get: (way: Way) => Measured | undefined): string | undefined => {
    const cap = ceiling?.(get);
    return cap && cap.value < target ? `at most ${fixed(cap.value, 3)} ${cap.what}` : undefined;
  };
  const rounds = needs.every((way) => ROUND_WAYS.includes(way))
    ? byRound.filter((ways) => needs.every((way) => ways[way]))
    : [];
  if (rounds.length > 0) {
    const values = rounds.map((ways) => compute((way) => ways[way]!));
    // NOTE: the bound is the median round's (of an even count, the lower middle one's).
    const middle = rounds[medianItem([...values.keys()], (round) => values[round])!];
    checkRatio(
      name,
      median(values),
      comparison,
      target,
      digits,
      bound((way) => middle[way]),
    );
    if (values.length > 1) line(`${name}_by_round`, values.map((value) => value.toFixed(digits)).join(' | '));
    return;
  }
  const missing = needs.filter((way) => !measured[way]);
  if (missing.length > 0) skipRatio(name, comparison, target, `needs ${missing.join(', ')}`);
  else
    checkRatio(
      name,
      compute((way) => measured[way]!),
      comparison,
      target,
      digits,
      bound((way) => measured[way]),
    );
}

/** The queue ways of one API beside its raw way, and the prefix of their ratios' names. */
interface QueueWays {
  prefix: string;
  raw: Way;
  queue: Way;
  burst: Way;
}

/** The ratios of one API's queue ways against its raw way; the same targets for both APIs. */
function queueRatios(ways: [Ways[], Ways], { prefix, raw, queue, burst }: QueueWays): void {
  console.log(`\n[ratios] ${queue} / ${raw} (the physical limit on this sink)`);
  ratio(
    ways,
    [queue, raw],
    `${prefix}queue_vs_raw_events_per_s`,
    (get) => eventsPerS(get(queue).result) / eventsPerS(get(raw).result),
    '>=',
    0.9,
  );
  ratio(
    ways,
    [queue, raw],
    `${prefix}queue_vs_raw_client_cpu_per_event`,
    (get) => cpuUsPerEvent(get(queue).result) / cpuUsPerEvent(get(raw).result),
    '<=',
    1.2,
  );
  ratio(
    ways,
    [queue, burst],
    `${prefix}burst_vs_paced_events_per_s`,
    (get) => eventsPerS(get(burst).result) / eventsPerS(get(queue).result),
    '>=',
    0.9,
    3,
    // NOTE: a burst holds the event loop, so nothing is sent before its loop ends; then delivery is bound by the sink.
    // Even the raw way's bare build (b µs a call) and a sink-bound delivery (s events/s) give at most 1 / (1 + b·s).
    (get) => {
      const bare = get(raw);
      if (!bare) return undefined;
      const buildUs = bare.result.latency.meanUs;
      const sinkEventsPerS = sinkBound(bare.sink);
      return {
        value: 1 / (1 + buildUs * 1e-6 * sinkEventsPerS),
        what: `(a burst sends nothing until its loop ends: ${raw}'s bare build, ${fixed(buildUs, 2)} µs a call, then the sink's ${Math.round(sinkEventsPerS)} events/s)`,
      };
    },
  );
  // NOTE: an enqueue does the raw way's work (build the operation, serialize it, mint its id), plus checking the
  // input (the data is walked once more) and appending to the store with a receipt: at most 3 times the bare build
  // leaves room for the checks and the append, not for a second copy of the work. p99, as the old absolute target
  // (p99 < 10 µs): the tail is what a caller feels.
  ratio(
    ways,
    [queue, raw],
    `${prefix}enqueue_p99_vs_raw_build`,
    (get) => get(queue).result.latency.p99Us / get(raw).result.latency.p99Us,
    '<=',
    3,
  );
  // NOTE: the old absolute target (< 1 KB a queued event, for operations of ~300 B) as a multiple of the operation's
  // own JSON: what the queue holds beside the bytes it will send.
  ratio(
    ways,
    [burst, raw],
    `${prefix}heap_per_queued_event_vs_operation_bytes`,
    (get) => get(burst).result.heapPerEventBytes! / get(raw).result.operationBytes!,
    '<=',
    3,
  );
  // Counts, not times: batching and the connection limit do not depend on the machine's load.
  ratio(
    ways,
    [queue, burst],
    `${prefix}queue_requests_per_1000_events`,
    (get) => Math.max(perThousand(get(queue).sink), perThousand(get(burst).sink)),
    '<=',
    3,
  );
  ratio(
    ways,
    [queue, burst],
    `${prefix}peak_connections_vs_max_in_flight`,
    (get) =>
      Math.max(get(queue).sink.peakConnections, get(burst).sink.peakConnections) / get(queue).result.maxInFlight!,
    '<=',
    1,
  );
}

/** Prints the delivery part's ratios (and the Pipelines part's, when it ran); the verdicts go to targets.ts. */
export function deliveryRatios(byRound: Ways[], measured: Ways): void {
  const ways: [Ways[], Ways] = [byRound, measured];
  if (DELIVERY_WAYS.some((way) => measured[way])) {
    queueRatios(ways, { prefix: '', raw: 'raw-batch', queue: 'queue', burst: 'queue-burst' });
  }
  if (PIPELINES_WAYS.some((way) => measured[way])) {
    const pipelines = {
      prefix: 'pipelines_',
      raw: 'pipelines-raw',
      queue: 'pipelines-queue',
      burst: 'pipelines-burst',
    };
    queueRatios(ways, pipelines as QueueWays);
  }

  console.log('\n[ratios] queue / naive');
  ratio(
    ways,
    ['queue', 'naive'],
    'speedup',
    (get) => eventsPerS(get('queue').result) / eventsPerS(get('naive').result),
    '>=',
    20,
  );
  // NOTE: the best one-request-per-event client already spends little CPU per event; on a quiet machine the sink's
  // own CPU caps the queue's lead over it at about 9x (speedup_vs_naive_v4_agent_ceiling_from_sink_cpu). At least 5:
  // batching must keep most of that lead.
  ratio(
    ways,
    ['queue', 'naive-v4-agent'],
    'speedup_vs_naive_v4_agent',
    (get) => eventsPerS(get('queue').result) / eventsPerS(get('naive-v4-agent').result),
    '>=',
    5,
  );

  const { naive, 'naive-v4-agent': naiveV4, queue, 'queue-burst': burst } = measured;
  if (naive && queue) {
    line('speedup_ceiling_from_sink_cpu', fixed(sinkBound(queue.sink) / eventsPerS(naive.result), 2));
    line('requests_ratio', (perThousand(queue.sink) / perThousand(naive.sink)).toPrecision(3));
    line('enqueue_p50_ratio', fixed(queue.result.latency.p50Us / naive.result.latency.p50Us, 3));
    line('enqueue_p99_ratio', fixed(queue.result.latency.p99Us / naive.result.latency.p99Us, 3));
    line('peak_rss_ratio', fixed(queue.result.peakRssMb / naive.result.peakRssMb, 2));
    line('client_cpu_ratio', fixed(queue.result.cpuMs / naive.result.cpuMs, 3));
    line('sink_cpu_ratio', fixed(queue.sink.cpuMs / naive.sink.cpuMs, 3));
    if (burst) line('burst_speedup', fixed(eventsPerS(burst.result) / eventsPerS(naive.result), 2));
  }
  if (naiveV4 && queue) {
    line(
      'speedup_vs_naive_v4_agent_ceiling_from_sink_cpu',
      fixed(sinkBound(queue.sink) / eventsPerS(naiveV4.result), 2),
    );
    line('client_cpu_ratio_vs_naive_v4_agent', fixed(queue.result.cpuMs / naiveV4.result.cpuMs, 3));
  }
}
