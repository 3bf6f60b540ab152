import type { SQLITE_OPTION_VALUES } from '../customerio.constants.js';
import type { CustomerIOError } from '../errors/customerio.errors.js';
import type { CustomerIODeliveryOutcome } from './delivery-outcome.interface.js';
import type { CustomerIOOverflowPolicy, CustomerIOQueueStore } from './queue-store.interface.js';

// NOTE: these two live below the options (the outcome in its own file, the overflow policy with the bound a store
// enforces) so that the store contract imports nothing from here; re-exported for the code that takes them from here.
export type { CustomerIODeliveryOutcome } from './delivery-outcome.interface.js';
export type { CustomerIOOverflowPolicy } from './queue-store.interface.js';

/** Retry, backoff and circuit-breaking of outbound requests (see `CustomerIORetryInterceptor`). */
export interface CustomerIORetryOptions {
  /** Attempts per request, the first included. @default 4 */
  maxAttempts?: number;
  /** Scale of the exponential backoff (full jitter), in ms. @default 200 */
  baseDelayMs?: number;
  /** Longest wait between two attempts, in ms. @default 10000 */
  maxDelayMs?: number;
  /** Total time one request may spend retrying, in ms; no retry starts that would end past it. @default 30000 */
  budgetMs?: number;
  /** Cap on a server's `Retry-After`, in ms. @default 60000 */
  maxRetryAfterMs?: number;
  /**
   * After this many consecutive failed attempts (network errors, timeouts, 408, 425, 429, 5xx), stop sending;
   * after `halfOpenAfterMs`, let one request through as a probe, and resume if it succeeds. `false` disables it.
   * @default { threshold: 10, halfOpenAfterMs: 5000 }
   */
  circuitBreaker?: { threshold?: number; halfOpenAfterMs?: number } | false;
}

/** The batching queue. */
export interface CustomerIOQueueOptions {
  /** How often queued operations are sent, in ms; a full batch is sent at once. @default 1000 */
  flushIntervalMs?: number;
  /** Largest request body, in bytes, from 1024 to 500000 (Customer.io takes at most 500 KB). @default 500000 */
  maxBatchBytes?: number;
  /** Most operations in one request. @default 1000 */
  maxBatchOperations?: number;
  /** Batch requests in flight at once, from 1 to 64; also bounds the connections the queue opens. @default 4 */
  maxInFlight?: number;
  /** Most operations held (queued and in flight). @default 100000 */
  maxQueueSize?: number;
  /** Most bytes held (serialized operations, queued and in flight), at least 1024. @default 67108864 (64 MiB) */
  maxQueueBytes?: number;
  /**
   * When full: `'reject'` throws `CustomerIOQueueFullError` to the caller of the new operation;
   * `'drop-oldest'` drops the oldest queued operation to make room. Both are counted, logged and reported.
   * @default 'reject'
   */
  overflow?: CustomerIOOverflowPolicy;
  /** Times a batch may fail with a retryable error (after the retry interceptor gave up) before its operations fail. @default 10 */
  maxDeliveryAttempts?: number;
  /**
   * How long shutdown may spend sending what is queued, in ms; what is left is reported undelivered (or,
   * with a durable store, kept for the next start). In a shared store it also waits, with growing pauses, for
   * what other instances hold. @default 10000
   */
  shutdownTimeoutMs?: number;
  /**
   * Where queued operations are kept:
   * - `'memory'`: in this process; fastest; lost if the process dies.
   * - `'sqlite'`: a file on local disk (`sqlite.path`), committed by the turn of the event loop (`sqlite.commit`);
   *   what it committed survives a crash and is sent after a restart. Needs `better-sqlite3` 12 installed.
   * - `'redis'`: a queue shared by every instance using the same Redis and prefix (`redis.url`); an
   *   instance that dies leaves its batch to the others after a visibility timeout. Needs `ioredis` 5.
   * - a store of your own implementing {@link CustomerIOQueueStore} (yours to close).
   * Stores the module creates from a name are closed at shutdown.
   * @default 'memory'
   */
  store?: 'memory' | 'sqlite' | 'redis' | CustomerIOQueueStore;
  /** Settings of `store: 'sqlite'`. */
  sqlite?: {
    /** The queue file (its directory must exist). */
    path: string;
    /** SQLite's `synchronous` setting; see `SqliteQueueStoreOptions`. @default 'normal' */
    synchronous?: (typeof SQLITE_OPTION_VALUES.synchronous)[number];
    /**
     * When appends are committed: `'tick'`, those of one turn of the event loop together, right after it (a
     * `kill -9` can lose that turn's, whose `stored` has not resolved); `'append'`, each before `enqueue`
     * returns. See `SqliteQueueStoreOptions`. @default 'tick'
     */
    commit?: (typeof SQLITE_OPTION_VALUES.commit)[number];
  };
  /** Settings of `store: 'redis'`. For a client of your own, pass `store: new RedisQueueStore({ redis: client })`. */
  redis?: {
    /** Connection URL, e.g. `redis://127.0.0.1:6379/0`. */
    url: string;
    /** Names the shared queue. @default 'customerio:queue' */
    prefix?: string;
    /**
     * How long the batch of an instance that died waits before another instance sends it; at least three times
     * the module's `timeout`. @default 30000
     */
    visibilityTimeoutMs?: number;
    /** How long Redis keeps the receipt watches and outcomes an instance that died leaves behind. @default 3600000 */
    outcomeTtlMs?: number;
  };
}

/** A batch of operations that reached one outcome. */
export interface CustomerIODeliveryReport {
  readonly outcome: CustomerIODeliveryOutcome;
  /**
   * Ids of the operations: each receipt's `id`, a ULID the queue gave that call (for an event, also its `id` at
   * Customer.io, unless the caller chose one).
   */
  readonly ids: readonly string[];
  /** Why, for every outcome but `delivered`: Customer.io's reason, the error, or the policy that applied. */
  readonly reason?: string;
  /** The error behind `failed` and `invalid` outcomes, when there is one. */
  readonly error?: CustomerIOError;
}

/**
 * Callbacks an application can wire to its metrics; each is called once per report, synchronously, and may
 * return a promise (which the queue does not wait for). A hook that throws, or whose promise rejects, never
 * reaches the queue or the process: the failure is counted in `stats.hookErrors` and summed into one log line a
 * flush interval, and the outcome it was told of stands.
 */
export interface CustomerIODeliveryHooks {
  /** Operations Customer.io accepted; in mode `'disabled'`, those that would have been sent (`outcome: 'disabled'`). */
  onDelivered?(report: CustomerIODeliveryReport): void | Promise<void>;
  /** Operations that will not be delivered: `invalid`, `failed` or `undelivered` (at shutdown). */
  onFailed?(report: CustomerIODeliveryReport): void | Promise<void>;
  /** Operations dropped or rejected because the queue was full or closed. */
  onDropped?(report: CustomerIODeliveryReport): void | Promise<void>;
}
