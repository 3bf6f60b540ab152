import type { SandboxModuleOptions } from '../lib/testing/index.js';

// What the processes of the bench share: the workload, and the messages they exchange over IPC.

/** Events sent by each way. */
export const EVENTS = 200_000;
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
/** The ways through this module's queue (see queue.ts); `pipelines-*`: with option `api: 'pipelines'`. */
export type QueueWay = 'queue' | 'queue-burst' | 'queue-sqlite' | 'queue-redis' | 'pipelines-queue' | 'pipelines-burst';
/** Hand-built v2 (Pipelines: `/v1/batch`) batches, no module: the physical limit on this sink (see raw-batch.ts). */
export type RawWay = 'raw-batch' | 'pipelines-raw';
export type Way = NaiveWay | QueueWay | RawWay;

/**
 * The store of a queue way, handed to queue.js as its third argument (JSON; none: the in-memory
 * store). run.ts owns what it names: it makes the directory and the prefix, and deletes both afterwards.
 */
export type StoreSpec =
  | { kind: 'sqlite'; way: 'queue-sqlite'; dir: string }
  | { kind: 'redis'; way: 'queue-redis'; url: string; prefix: string };

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
  /** Raw-batch: the mean size of one operation's JSON, in bytes. */
  operationBytes?: number;
  /** Queue: the resolved `queue.maxInFlight`; raw-batch: the same limit, the queue's default. */
  maxInFlight?: number;
  queueStats?: Record<string, unknown>;
}

export type FromWorker = { type: 'result'; result: WayResult } | { type: 'error'; message: string };
