import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  DATA_BYTES,
  EVENTS,
  eventData,
  NAIVE_CONCURRENCY,
  PEOPLE,
  STEADY_FROM,
  type FromSink,
  type FromWorker,
  type SinkInfo,
  type SinkStats,
  type StoreSpec,
  type ToSink,
  type Way,
  type WayResult,
} from './protocol.js';

// `npm run bench`: the delivery benchmark. Three kinds of process, so that each figure is honest:
//   sink.js   the Customer.io sandbox (HTTP on 127.0.0.1), counting what it receives;
//   naive.js  way (a), customerio-node TrackClient.track per event, in a fresh process: twice, as
//             npm installs the SDK (5.x) and as 4.4.0 with a keep-alive agent (naive-v4-agent);
//   queue.js  way (b), CustomerIOModule's queue in a Nest app, in a fresh process; run again with
//             a durable store (queue-sqlite, queue-redis: a StoreSpec as its second argument).
// The ways run one after the other (never at once: the machine's cores go to one worker and the
// sink), against the same sink, which is reset in between. This process only coordinates and prints.

const WORKER_TIMEOUT_MS = 100_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const here = dirname(fileURLToPath(import.meta.url));
const runStarted = performance.now();
const errors: string[] = [];

const line = (name: string, value: string | number): void => console.log(`${name}: ${value}`);
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/** One request to the sink, answered over IPC. */
let nextId = 0;
function askSink(sink: ChildProcess, type: ToSink['type']): Promise<SinkStats> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sink.off('message', onMessage);
      reject(new Error(`sink did not answer "${type}" within 10 s`));
    }, 10_000);
    const onMessage = (message: FromSink): void => {
      if (message.type !== 'reply' || message.id !== id) return;
      clearTimeout(timer);
      sink.off('message', onMessage);
      resolve(message.stats);
    };
    sink.on('message', onMessage);
    sink.send({ type, id } satisfies ToSink);
  });
}

function startSink(): Promise<{ process: ChildProcess; info: SinkInfo }> {
  const child = fork(join(here, 'sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink exited (code ${code}) before it was ready`)));
    child.on('message', (message: FromSink) => {
      if (message.type === 'ready') resolve({ process: child, info: message.sink });
    });
  });
}

/** Runs one way in a fresh worker process and returns what it measured. */
function runWorker(way: Way, sink: SinkInfo, store?: StoreSpec): Promise<WayResult> {
  const script = way === 'naive' || way === 'naive-v4-agent' ? 'naive.js' : 'queue.js';
  const args = [JSON.stringify(sink), way, ...(store ? [JSON.stringify(store)] : [])];
  const child = fork(join(here, script), args, {
    execArgv: ['--expose-gc', ...(process.env.BENCH_CPU_PROF && way === 'queue' ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: WayResult | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => {
      failure = `${way} worker did not finish within ${WORKER_TIMEOUT_MS / 1000} s; killed`;
      child.kill('SIGKILL');
    }, WORKER_TIMEOUT_MS);
    child.on('message', (message: FromWorker) => {
      if (message.type === 'result') result = message.result;
      else failure = message.message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (result && code === 0) resolve(result);
      else reject(new Error(failure ?? `${way} worker exited with ${signal ?? `code ${code}`} without a result`));
    });
  });
}

/** Polls the sink until it counted every event of the way (it should have, once the worker is done). */
async function sinkTotals(sink: ChildProcess): Promise<SinkStats> {
  let stats = await askSink(sink, 'stats');
  for (let waited = 0; stats.distinct < EVENTS && waited < 10_000; waited += 50) {
    await sleep(50);
    stats = await askSink(sink, 'stats');
  }
  return stats;
}

function verify(result: WayResult, sink: SinkStats): void {
  const fail = (message: string): void => {
    errors.push(`${result.way}: ${message}`);
    console.error(`ERROR ${result.way}: ${message}`);
  };
  if (result.failures > 0) fail(`${result.failures} of ${result.sent} sends failed; first: ${result.firstError}`);
  else if (result.firstError) fail(result.firstError);
  if (sink.distinct !== EVENTS) fail(`the sink received ${sink.distinct} distinct bench events, expected ${EVENTS}`);
  if (sink.events !== EVENTS) fail(`the sink recorded ${sink.events} events, expected ${EVENTS}`);
  if (sink.repeated + sink.foreign + sink.duplicateEvents > 0) {
    fail(`the sink saw ${sink.repeated} repeated, ${sink.foreign} foreign, ${sink.duplicateEvents} deduplicated events`);
  }
}

const perThousand = (sink: SinkStats): number => (sink.requests / EVENTS) * 1_000;
const eventsPerS = (result: WayResult): number => EVENTS / (result.wallMs / 1_000);
/** The rate the sink's CPU alone would allow, on a core of its own. */
const sinkBound = (sink: SinkStats): number => EVENTS / (sink.cpuMs / 1_000);

function printWay(title: string, result: WayResult, sink: SinkStats): void {
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
  line('enqueue_p50_us', fixed(result.latency.p50Us, 2));
  line('enqueue_p90_us', fixed(result.latency.p90Us, 2));
  line('enqueue_p99_us', fixed(result.latency.p99Us, 2));
  line('enqueue_p999_us', fixed(result.latency.p999Us, 2));
  line('enqueue_max_us', fixed(result.latency.maxUs, 0));
  line('enqueue_mean_us', fixed(result.latency.meanUs, 2));
  line('enqueue_steady_p50_us', fixed(result.latency.steadyP50Us, 2));
  line('enqueue_steady_p99_us', fixed(result.latency.steadyP99Us, 2));
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
  line('client_cpu_us_per_event', fixed((result.cpuMs * 1_000) / EVENTS, 2));
  line('sink_cpu_ms', fixed(sink.cpuMs, 0));
  line('sink_cpu_us_per_event', fixed((sink.cpuMs * 1_000) / EVENTS, 2));
  line('sink_cpu_bound_events_per_s', Math.round(sinkBound(sink)));
}

/** A client of the Redis at `url` if it answers within a second, else undefined. */
async function connectRedis(url: string): Promise<Redis | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch {
    redis.disconnect();
    return undefined;
  }
}

/** Deletes the keys of every store prefix starting with `prefix` (the worker's warm-up and measured queues). */
async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/**
 * What a store way needs, made here so that it is deleted here too, even when the worker was killed:
 * a fresh temporary directory for the SQLite files, a prefix of its own on Redis. Undefined: skip the way.
 */
async function prepareStore(way: 'queue-sqlite' | 'queue-redis'): Promise<{ spec: StoreSpec; cleanUp(): Promise<void> } | undefined> {
  if (way === 'queue-sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nestjs-customerio-bench-'));
    return { spec: { kind: 'sqlite', way, dir }, cleanUp: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const redis = await connectRedis(REDIS_URL);
  if (!redis) {
    line(way, `skipped (no Redis at ${REDIS_URL})`);
    return undefined;
  }
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  line('redis', `${REDIS_URL} (Redis ${version}, separate process)`);
  const prefix = `nestjs-customerio-bench:${randomBytes(6).toString('hex')}`;
  return {
    spec: { kind: 'redis', way, url: REDIS_URL, prefix },
    cleanUp: async () => {
      try {
        await deleteKeys(redis, prefix);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    },
  };
}

const sink = await startSink();
const dataBytes = Buffer.byteLength(JSON.stringify(eventData(EVENTS - 1)));
console.log(`nestjs-customerio delivery bench: node ${process.version}, ${availableParallelism()} CPUs`);
line('events_per_way', EVENTS);
line('event_data_bytes', `${dataBytes} (target ${DATA_BYTES})`);
line('people', PEOPLE);
line('steady_latency_from_call', STEADY_FROM + 1);
line('sink', `${sink.info.url} (pid ${sink.process.pid}, separate process)`);
// Other work on the machine skews every figure; the load average says whether there was any.
line('load_average_1m_at_start', fixed(loadavg()[0], 2));

const measured: Partial<Record<Way, { result: WayResult; sink: SinkStats }>> = {};
const titles: Record<Way, string> = {
  naive:
    `customerio-node as npm installs it (5.x, fetch, defaults), TrackClient.track per event, ${NAIVE_CONCURRENCY} at a time ` +
    '(Promise.allSettled); latency = sync part of the call',
  'naive-v4-agent': 'the same with customerio-node 4.4.0 and a keep-alive http.Agent (the fastest one-request-per-event client)',
  queue: `CustomerIOModule queue: client.track (sync enqueue) ${NAIVE_CONCURRENCY} at a time, a turn of the event loop between, then client.flush()`,
  'queue-burst': 'the same queue, all 200,000 calls in one synchronous loop, then client.flush()',
  'queue-sqlite': 'queue-burst on a SqliteQueueStore (fresh temporary file, synchronous: normal)',
  'queue-redis': `queue-burst on a RedisQueueStore (${REDIS_URL}, a prefix of its own)`,
};
try {
  for (const way of ['naive', 'naive-v4-agent', 'queue', 'queue-burst', 'queue-sqlite', 'queue-redis'] as const) {
    const durable = way === 'queue-sqlite' || way === 'queue-redis';
    const store = durable ? await prepareStore(way) : undefined;
    if (durable && !store) continue;
    await askSink(sink.process, 'reset');
    let result: WayResult;
    try {
      result = await runWorker(way, sink.info, store?.spec);
    } catch (error) {
      errors.push(`${way}: ${(error as Error).message}`);
      console.error(`ERROR ${way}: ${(error as Error).message}`);
      continue;
    } finally {
      await store?.cleanUp().catch((error: Error) => {
        errors.push(`${way}: clean-up failed: ${error.message}`);
        console.error(`ERROR ${way}: clean-up failed: ${error.message}`);
      });
    }
    const totals = await sinkTotals(sink.process);
    verify(result, totals);
    measured[way] = { result, sink: totals };
    printWay(titles[way], result, totals);
  }
} finally {
  sink.process.disconnect();
}

const { naive, 'naive-v4-agent': naiveV4, queue, 'queue-burst': burst } = measured;
if (naive && queue) {
  console.log('\n[ratios] queue / naive');
  line('speedup', fixed(eventsPerS(queue.result) / eventsPerS(naive.result), 2));
  line('speedup_ceiling_from_sink_cpu', fixed(sinkBound(queue.sink) / eventsPerS(naive.result), 2));
  line('requests_ratio', (perThousand(queue.sink) / perThousand(naive.sink)).toPrecision(3));
  line('enqueue_p50_ratio', fixed(queue.result.latency.p50Us / naive.result.latency.p50Us, 3));
  line('enqueue_p99_ratio', fixed(queue.result.latency.p99Us / naive.result.latency.p99Us, 3));
  line('peak_rss_ratio', fixed(queue.result.peakRssMb / naive.result.peakRssMb, 2));
  line('peak_connections_ratio', fixed(queue.sink.peakConnections / naive.sink.peakConnections, 3));
  line('client_cpu_ratio', fixed(queue.result.cpuMs / naive.result.cpuMs, 3));
  line('sink_cpu_ratio', fixed(queue.sink.cpuMs / naive.sink.cpuMs, 3));
  if (burst) line('burst_speedup', fixed(eventsPerS(burst.result) / eventsPerS(naive.result), 2));
}
if (naiveV4 && queue) {
  // Not a target: the figure against the best one-request-per-event client, for the README's honesty.
  console.log('\n[ratios] queue / naive-v4-agent');
  line('speedup_vs_naive_v4_agent', fixed(eventsPerS(queue.result) / eventsPerS(naiveV4.result), 2));
  line('speedup_vs_naive_v4_agent_ceiling_from_sink_cpu', fixed(sinkBound(queue.sink) / eventsPerS(naiveV4.result), 2));
  line('client_cpu_ratio_vs_naive_v4_agent', fixed(queue.result.cpuMs / naiveV4.result.cpuMs, 3));
}
if (naive && queue && burst) {
  // Latency, requests and connections must hold both when the queue delivers as calls come, and in a burst.
  const both = [queue, burst];
  const speedup = eventsPerS(queue.result) / eventsPerS(naive.result);
  const requestsPerThousand = Math.max(...both.map(({ sink }) => perThousand(sink)));
  const p99Us = Math.max(...both.map(({ result }) => result.latency.p99Us));
  const peakConnections = Math.max(...both.map(({ sink }) => sink.peakConnections));
  const maxInFlight = queue.result.maxInFlight!;
  const targets: [string, boolean, string][] = [
    ['target_speedup_ge_20x', speedup >= 20, `${fixed(speedup, 2)}x`],
    ['target_requests_per_1000_le_3', requestsPerThousand <= 3, fixed(requestsPerThousand, 2)],
    ['target_enqueue_p99_lt_10us', p99Us < 10, `${fixed(p99Us, 2)} us`],
    ['target_heap_per_event_lt_1kb', burst.result.heapPerEventBytes! < 1024, `${fixed(burst.result.heapPerEventBytes!, 0)} B`],
    ['target_peak_connections_le_max_in_flight', peakConnections <= maxInFlight, `${peakConnections} <= ${maxInFlight}`],
  ];
  console.log('\n[targets]');
  for (const [name, pass, value] of targets) {
    line(name, `${pass ? 'PASS' : 'FAIL'} (${value})`);
    if (!pass) errors.push(`${name} failed (${value})`);
  }
}

// The durable stores beside the in-memory queue, all in a burst: figures only, no targets.
const stores = (['queue-sqlite', 'queue-redis'] as const).filter((way) => measured[way]);
if (burst && stores.length > 0) {
  const columns = [burst, ...stores.map((way) => measured[way]!)];
  const row = (value: (way: { result: WayResult; sink: SinkStats }) => string): string => columns.map(value).join(' | ');
  console.log(`\n[stores] ${['queue-burst', ...stores].join(' | ')}`);
  line('events_per_s', row(({ result }) => String(Math.round(eventsPerS(result)))));
  line('requests_per_1000_events', row(({ sink }) => fixed(perThousand(sink), 2)));
  line('enqueue_p50_us', row(({ result }) => fixed(result.latency.p50Us, 2)));
  line('enqueue_p99_us', row(({ result }) => fixed(result.latency.p99Us, 2)));
  line('peak_rss_mb', row(({ result }) => fixed(result.peakRssMb)));

  console.log('\n[ratios] store / in-memory queue (burst)');
  for (const way of stores) {
    const { result, sink: totals } = measured[way]!;
    const name = way.slice('queue-'.length);
    line(`${name}_vs_memory_events_per_s`, fixed(eventsPerS(result) / eventsPerS(burst.result), 3));
    line(`${name}_vs_memory_requests_per_1000`, fixed(perThousand(totals) / perThousand(burst.sink), 3));
    line(`${name}_vs_memory_enqueue_p50`, fixed(result.latency.p50Us / burst.result.latency.p50Us, 2));
    line(`${name}_vs_memory_enqueue_p99`, fixed(result.latency.p99Us / burst.result.latency.p99Us, 2));
    line(`${name}_vs_memory_peak_rss`, fixed(result.peakRssMb / burst.result.peakRssMb, 2));
  }
}

console.log('');
line('load_average_1m_at_end', fixed(loadavg()[0], 2));
line('run_s', fixed((performance.now() - runStarted) / 1_000));
line('result', errors.length === 0 ? 'PASS' : `FAIL (${errors.length}: ${errors.join('; ')})`);
process.exitCode = errors.length === 0 ? 0 : 1;
