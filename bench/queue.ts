import 'reflect-metadata';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../lib/customerio.constants.js';
import { CustomerIOClient } from '../lib/index.js';
import type { ResolvedCustomerIOOptions } from '../lib/options/resolved-options.interface.js';
import { redisCpuMs } from './cpu-counters.js';
import {
  cpuMsSince,
  fullGc,
  GcTimer,
  LatencyRecorder,
  memoryFigures,
  MemorySampler,
  reportAndExit,
  toMb,
} from './measure.js';
import {
  EVENT_NAME,
  EVENTS,
  eventData,
  isPaced,
  personIdOf,
  type FromWorker,
  type SinkInfo,
  NAIVE_CONCURRENCY,
  type QueueWay,
  type StoreSpec,
} from './protocol.js';
import { createQueueApp, openStore, warmUp } from './queue-app.js';
import { connectRedis } from './store-setup.js';

// Way (b): this module's queue in a real Nest application: 200,000 `client.track` calls (each only
// checks and enqueues), then `client.flush()` until every event is delivered in `POST /api/v2/batch`
// requests. Runs in a process of its own with --expose-gc, started by run.ts with the sink's address
// and the way (second argument):
//   queue         the calls come NAIVE_CONCURRENCY at a time with a turn of the event loop in between,
//                 as the naive way's do (and as a server's handlers do): delivery runs meanwhile.
//   queue-burst   one synchronous loop of all the calls, then the flush: the queue holds all 200,000
//                 at once, which gives the heap per queued event.
//   sqlite-queue, sqlite-burst, redis-queue, redis-burst  queue and queue-burst on a SqliteQueueStore or a
//                 RedisQueueStore instead of the in-memory store, as the StoreSpec (third argument) says.
//   pipelines-queue, pipelines-burst  queue and queue-burst with option `api: 'pipelines'`: `POST /v1/batch`
//                 requests (run.ts starts them with customerio-node 5, which the Pipelines API needs).

const DELIVERY_DEADLINE_MS = 60_000;

const sink = JSON.parse(process.argv[2] ?? 'null') as SinkInfo | null;
if (!sink) {
  console.error('bench queue: missing sink info (start it through `npm run bench`)');
  process.exit(1);
}
if (!globalThis.gc) console.error('bench queue: run node with --expose-gc for an exact heap figure');
const way = process.argv[3] as QueueWay;
const storeSpec = JSON.parse(process.argv[4] ?? 'null') as StoreSpec | null;
const paced = isPaced(way);
const pipelines = way === 'pipelines-queue' || way === 'pipelines-burst';

// The warm-up runs on a store of the same kind, its own file or prefix.
await warmUp(storeSpec ?? undefined, 'warm-up', pipelines);

const store = storeSpec ? await openStore(storeSpec, 'measured') : undefined;
const app = await createQueueApp({
  ...sink.options,
  ...(pipelines ? { api: 'pipelines' as const } : { api: 'track' as const }),
  queue: { maxQueueSize: 250_000, maxQueueBytes: 256 * 1024 * 1024, ...(store && { store }) },
});
const client = app.get(CustomerIOClient);
const maxInFlight = app.get<symbol, ResolvedCustomerIOOptions>(CUSTOMERIO_RESOLVED_OPTIONS).queue.maxInFlight;

// NOTE: nothing else uses this Redis during a bench run, so its CPU over the span is this way's.
const redis = storeSpec?.kind === 'redis' ? await connectRedis(storeSpec.url) : undefined;
const redisCpuStart = redis && (await redisCpuMs(redis));
const latency = new LatencyRecorder(EVENTS);
const rssStart = process.memoryUsage().rss;
const sampler = new MemorySampler().start();
fullGc();
const heapBefore = process.memoryUsage().heapUsed;
const gc = new GcTimer().start();
const cpuStart = process.cpuUsage();
const started = process.hrtime.bigint();

for (let base = 0; base < EVENTS; base += NAIVE_CONCURRENCY) {
  for (let i = base; i < Math.min(EVENTS, base + NAIVE_CONCURRENCY); i++) {
    const personId = personIdOf(i);
    const data = eventData(i);
    const start = process.hrtime.bigint();
    client.track(personId, EVENT_NAME, data);
    latency.record(i, start, process.hrtime.bigint());
    if ((i & 4_095) === 0) sampler.sample();
  }
  if (paced) await setImmediate();
}

const enqueued = process.hrtime.bigint();
sampler.sample();
const gcNs = fullGc();
const heapAfter = process.memoryUsage().heapUsed;
const settledBeforeFlush = client.stats.queued + client.stats.delivered;
const resumed = process.hrtime.bigint();

// flush() returns early when a batch must wait (Customer.io failing); keep at it until all is delivered.
const deadline = Date.now() + DELIVERY_DEADLINE_MS;
for (;;) {
  const before = client.stats;
  if (before.delivered >= EVENTS || before.failed + before.invalid + before.rejected + before.dropped > 0) break;
  if (Date.now() > deadline) break;
  await client.flush();
  if (client.stats.delivered === before.delivered) await sleep(10);
}

const done = process.hrtime.bigint();
const cpuMs = cpuMsSince(cpuStart) - Number(gcNs) / 1e6;
const gcMs = await gc.stop();
const redisCpu = redis && redisCpuStart !== undefined ? (await redisCpuMs(redis)) - redisCpuStart : undefined;
redis?.disconnect();
sampler.stop();
const stats = client.stats;
await app.close();
await store?.close?.(); // the queue leaves a store it was given open

const undelivered = EVENTS - stats.delivered;
const firstError =
  settledBeforeFlush !== EVENTS
    ? `${settledBeforeFlush} operations queued or delivered after the enqueue loop, expected ${EVENTS}`
    : undelivered > 0
      ? `${undelivered} events not delivered (failed ${stats.failed}, invalid ${stats.invalid}, rejected ${stats.rejected}, ` +
        `dropped ${stats.dropped}, still queued ${stats.queued}); last error: ${stats.lastError ?? 'none'}`
      : undefined;

const message: FromWorker = {
  type: 'result',
  result: {
    way,
    sent: EVENTS,
    failures: undelivered,
    firstError,
    wallMs: Number(done - started - gcNs) / 1e6,
    enqueueMs: Number(enqueued - started) / 1e6,
    deliverMs: Number(done - resumed) / 1e6,
    excludedGcMs: Number(gcNs) / 1e6,
    latency: latency.summary(),
    ...memoryFigures(rssStart, sampler),
    // Paced, the queue never held every event at once: no per-event figure.
    ...(!paced && { heapQueuedMb: toMb(heapAfter - heapBefore), heapPerEventBytes: (heapAfter - heapBefore) / EVENTS }),
    cpuMs,
    gcMs,
    ...(redisCpu !== undefined && { redisCpuMs: redisCpu }),
    maxInFlight,
    queueStats: { ...stats },
  },
};
reportAndExit(message);
