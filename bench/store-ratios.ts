import { type Ceiling, ratio, type Ways } from './delivery-ratios.js';
import { EVENTS, type StoreKind, type Way, type WayResult } from './protocol.js';
import { cpuUsPerEvent, eventsPerS, fixed, line, type Measured, perThousand } from './report.js';

// The stores part's figures and ratios: each durable store's way beside the in-memory way it repeats (`sqlite-queue`
// beside `queue`, `redis-burst` beside `queue-burst`, ...), measured in the same rounds, so that each ratio compares
// neighbours.

const PACED: readonly Way[] = ['queue', 'sqlite-queue', 'redis-queue'];
const BURST: readonly Way[] = ['queue-burst', 'sqlite-burst', 'redis-burst'];

/** The figures of the ways measured, each its median round, side by side. */
function printTable(measured: Ways): void {
  const ways = [...PACED, ...BURST].filter((way) => measured[way]);
  const row = (name: string, value: (way: Measured) => string): void =>
    line(name, ways.map((way) => value(measured[way]!)).join(' | '));
  console.log(`\n[stores] ${ways.join(' | ')}`);
  row('events_per_s', ({ result }) => String(Math.round(eventsPerS(result))));
  row('requests_per_1000_events', ({ sink }) => fixed(perThousand(sink), 2));
  row('enqueue_p50_us', ({ result }) => fixed(result.latency.p50Us, 2));
  row('enqueue_p99_us', ({ result }) => fixed(result.latency.p99Us, 2));
  row('client_cpu_us_per_event', ({ result }) => fixed(cpuUsPerEvent(result), 2));
  row('redis_server_cpu_us_per_event', ({ result }) =>
    result.redisCpuMs === undefined ? '-' : fixed(redisUs(result), 2),
  );
  row('peak_rss_mb', ({ result }) => fixed(result.peakRssMb));
}

/** The redis-server's CPU per event of a Redis way, in µs. */
const redisUs = (result: WayResult): number => (result.redisCpuMs! * 1_000) / EVENTS;

// NOTE: Redis runs the store's scripts on one thread: at r µs of its CPU per event, no way passes 1e6 / r events/s.
const redisThread =
  (store: Way, memory: Way): Ceiling =>
  (get) => {
    const result = get(store)?.result;
    const base = get(memory)?.result;
    if (result?.redisCpuMs === undefined || !base) return undefined;
    return {
      value: 1e6 / redisUs(result) / eventsPerS(base),
      what: `(Redis's one thread at ${fixed(redisUs(result), 1)} µs of CPU per event: this store's scripts)`,
    };
  };

/** The ratios of one store against the in-memory store: events/s paced and in a burst (targets), the rest figures. */
function storeVsMemory(ways: [Ways[], Ways], kind: StoreKind): void {
  const burst: Way = `${kind}-burst`;
  const pairs = [
    [`${kind}_vs_memory_events_per_s`, `${kind}-queue`, 'queue'],
    [`${kind}_burst_vs_memory_events_per_s`, burst, 'queue-burst'],
  ] as const;
  // NOTE: issue 17: a durable store may cost half the in-memory store's rate, no more, paced and in a burst alike.
  for (const [name, store, memory] of pairs) {
    ratio(
      ways,
      [store, memory],
      name,
      (get) => eventsPerS(get(store).result) / eventsPerS(get(memory).result),
      '>=',
      0.5,
      3,
      kind === 'redis' ? redisThread(store, memory) : undefined,
    );
  }
  const [, measured] = ways;
  const store = measured[burst];
  const memory = measured['queue-burst'];
  if (!store || !memory) return;
  line(`${kind}_burst_vs_memory_requests_per_1000`, fixed(perThousand(store.sink) / perThousand(memory.sink), 3));
  line(`${kind}_burst_vs_memory_enqueue_p50`, fixed(store.result.latency.p50Us / memory.result.latency.p50Us, 2));
  line(`${kind}_burst_vs_memory_enqueue_p99`, fixed(store.result.latency.p99Us / memory.result.latency.p99Us, 2));
  line(`${kind}_burst_vs_memory_client_cpu_per_event`, fixed(store.result.cpuMs / memory.result.cpuMs, 2));
  if (kind === 'sqlite') line('sqlite_vs_memory_peak_rss', fixed(store.result.peakRssMb / memory.result.peakRssMb, 2));
}

/** Prints the stores part's table and ratios (those with a target through targets.ts). */
export function storeRatios(byRound: Ways[], measured: Ways): void {
  const ways: [Ways[], Ways] = [byRound, measured];
  printTable(measured);
  console.log('\n[ratios] store / in-memory queue, paced (queue) and in a burst (queue-burst)');
  storeVsMemory(ways, 'sqlite');
  storeVsMemory(ways, 'redis');
  // NOTE: issue 17: with every event queued at once, the Redis store may hold at most a fifth more memory than the
  // in-memory store, which holds them all on its heap (appends awaiting Redis must not pile up beside them).
  ratio(
    ways,
    ['redis-burst', 'queue-burst'],
    'redis_vs_memory_peak_rss',
    (get) => get('redis-burst').result.peakRssMb / get('queue-burst').result.peakRssMb,
    '<=',
    1.2,
  );
}
