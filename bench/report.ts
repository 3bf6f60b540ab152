import { EVENTS, NAIVE_CONCURRENCY, type SinkStats, type StoreKind, type Way, type WayResult } from './protocol.js';
import { REDIS_URL, STORE_OPTIONS } from './store-setup.js';

// What the delivery part prints for each way: absolute figures, as information (no target).

/** What one way measured, in its worker and at the sink. */
export interface Measured {
  result: WayResult;
  sink: SinkStats;
}

export const line = (name: string, value: string | number): void => console.log(`${name}: ${value}`);
export const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/** HTTP requests the sink received per 1,000 events. */
export const perThousand = (sink: SinkStats): number => (sink.requests / EVENTS) * 1_000;
/** Events delivered per second of the way's wall time. */
export const eventsPerS = (result: WayResult): number => EVENTS / (result.wallMs / 1_000);
/** The worker's CPU time per event, in µs. */
export const cpuUsPerEvent = (result: WayResult): number => (result.cpuMs * 1_000) / EVENTS;
/** The rate the sink's CPU alone would allow, on a core of its own. */
export const sinkBound = (sink: SinkStats): number => EVENTS / (sink.cpuMs / 1_000);

/** A store way's title: the in-memory way it repeats, on which store, with which options. */
const storeTitle = (way: 'queue' | 'queue-burst', kind: StoreKind): string =>
  `the ${way} way on a ${kind === 'sqlite' ? 'SqliteQueueStore (a fresh temporary file' : `RedisQueueStore (${REDIS_URL}, a prefix of its own`}` +
  `, options ${JSON.stringify(STORE_OPTIONS[kind])})`;

/** What each way is, as its block's title says. */
export const TITLES: Record<Way, string> = {
  'raw-batch':
    `hand-built v2 batches (one JSON.stringify per operation, cut at the queue's limits), ${NAIVE_CONCURRENCY} events at a time, ` +
    "a keep-alive http.Agent, the queue's maxInFlight; no module; latency = build and serialize one operation",
  queue: `CustomerIOModule queue: client.track (sync enqueue) ${NAIVE_CONCURRENCY} at a time, a turn of the event loop between, then client.flush()`,
  'queue-burst': `the same queue, all ${EVENTS} calls in one synchronous loop, then client.flush()`,
  naive:
    `customerio-node as npm installs it (5.x, fetch, defaults), TrackClient.track per event, ${NAIVE_CONCURRENCY} at a time ` +
    '(Promise.allSettled); latency = sync part of the call',
  'naive-v4-agent':
    'the same with customerio-node 4.4.0 and a keep-alive http.Agent (the fastest one-request-per-event client)',
  'sqlite-queue': storeTitle('queue', 'sqlite'),
  'sqlite-burst': storeTitle('queue-burst', 'sqlite'),
  'redis-queue': storeTitle('queue', 'redis'),
  'redis-burst': storeTitle('queue-burst', 'redis'),
  'pipelines-raw':
    'raw-batch for the Pipelines API: hand-built track calls in POST /v1/batch (Basic auth key:, X-Strict-Mode: 1); no module',
  'pipelines-queue':
    "the queue way with option api: 'pipelines' (POST /v1/batch through customerio-node 5's PipelinesClient)",
  'pipelines-burst': "the queue-burst way with option api: 'pipelines'",
};

/** What each way's per-call latency times. */
const latencyName = (way: Way): string =>
  way === 'raw-batch' || way === 'pipelines-raw' ? 'build_serialize' : 'enqueue';

export function printWay(title: string, { result, sink }: Measured): void {
  console.log(`\n[${result.way}] ${title}`);
  line('events_delivered', sink.distinct);
  line('wall_ms', fixed(result.wallMs));
  if (result.enqueueMs !== undefined) {
    line('enqueue_loop_ms', fixed(result.enqueueMs));
    line('deliver_after_enqueue_ms', fixed(result.deliverMs!));
    line('excluded_forced_gc_ms', fixed(result.excludedGcMs!));
  }
  line('events_per_s', Math.round(eventsPerS(result)));
  line('http_requests', sink.requests);
  line('requests_per_1000_events', fixed(perThousand(sink), 2));
  if (sink.batches > 0) line('avg_operations_per_batch', fixed(sink.batchOperations / sink.batches));
  if (result.operationBytes !== undefined) line('operation_bytes', fixed(result.operationBytes));
  const latency = latencyName(result.way);
  line(`${latency}_p50_us`, fixed(result.latency.p50Us, 2));
  line(`${latency}_p90_us`, fixed(result.latency.p90Us, 2));
  line(`${latency}_p99_us`, fixed(result.latency.p99Us, 2));
  line(`${latency}_p999_us`, fixed(result.latency.p999Us, 2));
  line(`${latency}_max_us`, fixed(result.latency.maxUs, 0));
  line(`${latency}_mean_us`, fixed(result.latency.meanUs, 2));
  line(`${latency}_steady_p50_us`, fixed(result.latency.steadyP50Us, 2));
  line(`${latency}_steady_p99_us`, fixed(result.latency.steadyP99Us, 2));
  line('rss_start_mb', fixed(result.rssStartMb));
  line('peak_rss_mb', fixed(result.peakRssMb));
  line('peak_rss_kernel_mb', fixed(result.maxRssMb));
  line('peak_heap_used_mb', fixed(result.peakHeapMb));
  if (result.heapPerEventBytes !== undefined) {
    line('heap_queued_mb', fixed(result.heapQueuedMb!));
    line('heap_per_queued_event_bytes', fixed(result.heapPerEventBytes, 0));
  }
  line('peak_connections', sink.peakConnections);
  line('connections_opened', sink.connectionsOpened);
  if (result.maxInFlight !== undefined) line('max_in_flight', result.maxInFlight);
  line('client_cpu_ms', fixed(result.cpuMs, 0));
  line('client_cpu_us_per_event', fixed(cpuUsPerEvent(result), 2));
  if (result.gcMs !== undefined) line('client_gc_us_per_event', fixed((result.gcMs * 1_000) / EVENTS, 2));
  line('sink_cpu_ms', fixed(sink.cpuMs, 0));
  line('sink_cpu_us_per_event', fixed((sink.cpuMs * 1_000) / EVENTS, 2));
  line('sink_cpu_bound_events_per_s', Math.round(sinkBound(sink)));
}
