import type { RedisQueueStoreOptions } from '../lib/redis/index.js';
import type { SqliteQueueStoreOptions } from '../lib/stores/index.js';
import type { SandboxModuleOptions } from '../lib/testing/index.js';

// What the processes of the bench share: the workload, and the messages they exchange over IPC.

/** Events sent by each way. */
export const EVENTS = 200_000;
/** Events of each run of the scale-out part, split between its instances (fewer: the Redis store is the slowest way). */
export const SCALE_OUT_EVENTS = 100_000;
/** Distinct people the events are spread over (round robin), as in an app with many users. */
export const PEOPLE = 10_000;
/** Calls the naive way keeps in flight (one `Promise.allSettled` per group). */
export const NAIVE_CONCURRENCY = 100;
export const EVENT_NAME = 'bench_event';
/** Target size of one event's data, serialized as JSON. */
export const DATA_BYTES = 200;
/** Latency percentiles are also given from this call on, once the JIT has warmed up ("steady"). */
export const STEADY_FROM = 20_000;

/** Event data; `n` (0 … EVENTS-1) lets the sink check that each event arrived exactly once. */
export type BenchEventData = { plan: string; path: string; n: number; source: string; pad: string };

const shape = (n: number, pad: string): BenchEventData => ({
  plan: 'pro',
  path: `/some/page/${n % 1_000}/section`,
  n,
  source: 'nestjs-customerio-bench',
  pad,
});
const PAD = 'x'.repeat(Math.max(0, DATA_BYTES - JSON.stringify(shape(123_456, '')).length));

/** The data of event `n`: about {@link DATA_BYTES} bytes as JSON (padding shared, the object fresh). */
export const eventData = (n: number): BenchEventData => shape(n, PAD);

/** The person event `n` is about. */
export const personIdOf = (n: number): string => `user-${n % PEOPLE}`;

/** The one-request-per-event baselines (see naive.ts). */
export type NaiveWay = 'naive' | 'naive-v4-agent';
/** The durable stores a queue way can run on. */
export type StoreKind = 'sqlite' | 'redis';
/** The queue and queue-burst ways on a durable store (`sqlite-queue`: paced on a SqliteQueueStore, ...). */
export type StoreWay = `${StoreKind}-${'queue' | 'burst'}`;
/** The ways through this module's queue (see queue.ts); `pipelines-*`: with option `api: 'pipelines'`. */
export type QueueWay = 'queue' | 'queue-burst' | 'pipelines-queue' | 'pipelines-burst' | StoreWay;
/** Hand-built v2 (Pipelines: `/v1/batch`) batches, no module: the physical limit on this sink (see raw-batch.ts). */
export type RawWay = 'raw-batch' | 'pipelines-raw';
export type Way = NaiveWay | QueueWay | RawWay;

/** The store a way runs on: undefined for the in-memory store. */
export const storeKindOf = (way: Way): StoreKind | undefined =>
  way.startsWith('sqlite-') ? 'sqlite' : way.startsWith('redis-') ? 'redis' : undefined;

/** A queue way that calls `client.track` a group at a time with a turn of the event loop between (not a burst). */
export const isPaced = (way: Way): boolean => way === 'queue' || way.endsWith('-queue');

/**
 * The store of a queue way, handed to its worker as JSON (none: the in-memory store). The coordinator owns what it
 * names: it makes the directory or the prefix, and deletes it afterwards. `options` go to the store's constructor
 * as they are, beside the file or the prefix (see STORE_OPTIONS in store-setup.ts).
 */
export type StoreSpec =
  | { kind: 'sqlite'; dir: string; options: Omit<SqliteQueueStoreOptions, 'path'> }
  | { kind: 'redis'; url: string; prefix: string; options: Omit<RedisQueueStoreOptions, 'redis' | 'prefix'> };

/** Where the sink listens, handed to each worker as its first argument (JSON). */
export interface SinkInfo {
  url: string;
  port: number;
  options: SandboxModuleOptions;
}

/** What the sink counted since its last reset. */
export interface SinkStats {
  /** Events recorded by the sandbox. */
  events: number;
  /** Distinct bench events (`n` seen for the first time). */
  distinct: number;
  /** Bench events whose `n` was seen before. */
  repeated: number;
  /** Events that are not this bench's (wrong name, or no valid `n`). */
  foreign: number;
  /** Events the sandbox ignored because their `id` was seen before. */
  duplicateEvents: number;
  requests: number;
  batches: number;
  batchOperations: number;
  peakConnections: number;
  connectionsOpened: number;
  openConnections: number;
  /** CPU time (user + system) the sink spent since the reset. */
  cpuMs: number;
  rssMb: number;
  /** `Date.now()` when the last request counted arrived (0: none since the reset). */
  lastRequestAt: number;
}

export type ToSink = { type: 'stats' | 'reset'; id: number };
export type FromSink = { type: 'ready'; sink: SinkInfo } | { type: 'reply'; id: number; stats: SinkStats };

/** Percentiles of per-call latencies, in microseconds. */
export interface LatencySummary {
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  meanUs: number;
  /** The same from call {@link STEADY_FROM} on. */
  steadyP50Us: number;
  steadyP99Us: number;
}

/** What a worker measured in its own process. */
export interface WayResult {
  way: Way;
  sent: number;
  /** Calls that failed (naive: rejected promises; queue: operations not delivered; raw-batch: events of failed batches). */
  failures: number;
  firstError?: string;
  /** First send to the last answer from the sink (queue: minus the forced GC of the heap measurement). */
  wallMs: number;
  /** Queue: the synchronous loop of `sent` `client.track` calls. */
  enqueueMs?: number;
  /** Queue: from the end of that loop (GC excluded) to the last batch delivered. */
  deliverMs?: number;
  /** Queue: the forced `gc()` taken out of `wallMs`. */
  excludedGcMs?: number;
  /** Per-call latency: naive, the synchronous part of the call; queue, `client.track`; raw-batch, building and serializing one operation. */
  latency: LatencySummary;
  rssStartMb: number;
  /** Highest RSS sampled (every 20 ms, and during the enqueue loop). */
  peakRssMb: number;
  /** The kernel's high-water mark of RSS for the worker process (getrusage). */
  maxRssMb: number;
  peakHeapMb: number;
  /** Queue: heap growth with all events queued, after a full GC. */
  heapQueuedMb?: number;
  heapPerEventBytes?: number;
  /** CPU time (user + system) of the worker from first send to done. */
  cpuMs: number;
  /** Raw and queue ways: time in garbage collection over the same span (the forced one left out). */
  gcMs?: number;
  /** Redis ways: CPU time of the redis-server (INFO cpu: its every client counted) over the same span. */
  redisCpuMs?: number;
  /** Raw-batch: the mean size of one operation's JSON, in bytes. */
  operationBytes?: number;
  /** Queue: the resolved `queue.maxInFlight`; raw-batch: the same limit, the queue's default. */
  maxInFlight?: number;
  queueStats?: Record<string, unknown>;
}

export type FromWorker = { type: 'result'; result: WayResult } | { type: 'error'; message: string };

/** What an instance of the scale-out part (scale-out-instance.ts) measured, from `go` to `stop`. */
export interface InstanceResult {
  /** Events this instance called `client.track` for: its share. */
  enqueued: number;
  /** Operations it delivered, whichever instance enqueued them (the queue is shared). */
  delivered: number;
  /** Operations it reported failed, invalid, rejected or dropped. */
  lost: number;
  lastError?: string;
  /** From `go` to the end of its loop of calls. */
  enqueueMs: number;
  /** CPU time (user + system) from `go` to `stop`. */
  cpuMs: number;
  peakRssMb: number;
}

/** What the scale-out part's coordinator tells an instance: start calling, or stop (the sink has every event). */
export type ToInstance = { type: 'go' | 'stop' };
export type FromInstance = { type: 'ready' } | { type: 'result'; result: InstanceResult };
