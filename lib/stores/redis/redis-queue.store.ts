import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { REDIS_ACKNOWLEDGE_FAILED, REDIS_RELEASE_FAILED } from '../../errors/customerio.messages.js';
import type { Redis } from 'ioredis';
import { DEFAULT_VISIBILITY_TIMEOUT_MS } from '../../customerio.constants.js';
import type {
  AppendResults,
  CustomerIOQueueStore,
  LeaseDeadlines,
  LeaseLimits,
  QueueBound,
  QueuedOperation,
  SharedOutcomes,
} from '../../interfaces/queue-store.interface.js';
import { RedisAppendBatcher } from './redis-append.batcher.js';
import { RedisLeaseKeeper, type RedisLeasedOperation } from './redis-lease.keeper.js';
import { RedisQueueConnection } from './redis-queue.connection.js';
import { ACKNOWLEDGE, COUNTS, DROP_OLDEST, HAS, LEASE, RELEASE, RENEW } from './redis-queue.lua.js';
import { redisSharedOutcomes } from './redis-shared-outcomes.js';
import type { RedisReply } from './redis-script.loader.js';
import { FIELDS, operationAt } from './redis-operation.records.js';

/** Options of {@link RedisQueueStore}. */
export interface RedisQueueStoreOptions {
  /**
   * An ioredis client, or a connection URL (`redis://127.0.0.1:6379/0`). A client you pass stays yours:
   * {@link RedisQueueStore.close} leaves it open, and its `'error'` events are yours to listen to. A URL
   * makes a client of the store's own, closed by `close()`, whose connection errors the store logs.
   */
  redis: Redis | string;
  /**
   * Names the queue: every application instance using the same prefix (on the same Redis) shares one queue.
   * Keys are `{prefix}:queue`, `{prefix}:json`, ... (one hash tag, so they share a Redis Cluster slot).
   * @default 'customerio:queue'
   */
  prefix?: string;
  /**
   * How long a lease lives without being renewed. The instance holding a lease renews it every third of
   * this while it is alive, so this is how long the operations of an instance that died (or lost Redis)
   * wait before another instance sends them. An instance that cannot renew gives its batch up before the
   * lease may have ended (see {@link RedisQueueStore.leaseDeadlines}); the module's `timeout` must be at
   * most a third of this.
   * @default 30000
   */
  visibilityTimeoutMs?: number;
  /**
   * How often `size` and `bytes` are read from Redis besides each operation's own answer: in a shared
   * queue they lag between reads behind what other instances did (the bound itself is enforced in Redis).
   * @default 1000
   */
  refreshIntervalMs?: number;
  /**
   * How long Redis keeps, unless refreshed, a receipt's watch on an operation (an instance waits for its
   * outcome) and an outcome recorded for another instance to collect (see {@link RedisQueueStore.sharedOutcomes}).
   * A live instance refreshes its watches on every flush interval and collects outcomes as often, so this
   * only bounds what an instance that died leaves behind. Keep it well above the queue's `flushIntervalMs`, and
   * give every instance sharing a prefix the same value (the shortest one trims).
   * @default 3600000 (1 hour)
   */
  outcomeTtlMs?: number;
}

// NOTE: why sorted sets and hashes rather than Streams with consumer groups (or BullMQ): a consumer
// group hands entries out in stream order to whoever reads, with no way to say "not this key while
// another consumer holds one of its entries", and XAUTOCLAIM gives a dead consumer's entries to one
// reader out of order with the rest of their keys. BullMQ's groups (per-key order) are in its paid Pro
// edition. With a sorted set per key scored by append sequence, and one of the keys scored by their oldest
// operation (or marked leased), one Lua script leases exactly as the in-memory store does — oldest first,
// skipping every key leased anywhere — at O(log n) per operation (see redis-queue-layout.lua.ts), and each
// lease's deadline (another sorted set) makes a dead instance's operations leasable again in their original
// places. Deadlines are read from Redis's clock (`TIME`), so app clocks need not agree.

/**
 * A queue store in Redis (ioredis), shared by every application instance using the same `prefix`:
 * operations survive restarts (`durable`), each person's operations are delivered in order across
 * instances, and the operations leased by an instance that died are sent by another after
 * `visibilityTimeoutMs`.
 *
 * The queue's `maxQueueSize`, `maxQueueBytes` and `overflow` bound the shared queue exactly: the store
 * enforces them in Redis, atomically with each append (see {@link RedisQueueStore.enforceBound}), whichever
 * instances append. `size` and `bytes` answer synchronously, from the totals Redis returned with this
 * store's last command (plus appends still on their way), read again every `refreshIntervalMs`; the queue
 * uses them only to refuse at once what already does not fit.
 *
 * A receipt read on one instance settles when another instance settles its operation (see
 * {@link RedisQueueStore.sharedOutcomes}).
 *
 * A prefix written by an earlier version of this store, in another layout, is refused while it holds
 * operations (see {@link RedisQueueStore.ready}).
 *
 * A failed `append` rejects (the queue reports the operation `failed`). A failed `acknowledge` or
 * `release` is logged, not thrown: the lease then runs out and the operations are sent again (at least
 * once; events carry ids Customer.io deduplicates by).
 */
export class RedisQueueStore implements CustomerIOQueueStore {
  readonly durable = true;
  readonly #logger = new Logger('CustomerIO');
  readonly #connection: RedisQueueConnection;
  readonly #appends: RedisAppendBatcher;
  readonly #leases: RedisLeaseKeeper;
  readonly #visibilityTimeoutMs: number;
  readonly #instance = randomBytes(6).toString('hex');
  #leaseCount = 0;
  #size = 0;
  #bytes = 0;
  #oldestId?: string;
  readonly #refreshTimer: NodeJS.Timeout;
  readonly #ready: Promise<void>;

  /**
   * Starts reading the queue's totals and renewing this store's leases; await {@link RedisQueueStore.ready} before
   * use. Throws a `RangeError` when `visibilityTimeoutMs` or `outcomeTtlMs` is not positive.
   */
  constructor(options: RedisQueueStoreOptions) {
    const {
      prefix = 'customerio:queue',
      visibilityTimeoutMs = DEFAULT_VISIBILITY_TIMEOUT_MS,
      refreshIntervalMs = 1_000,
      outcomeTtlMs = 3_600_000,
    } = options;
    if (!(visibilityTimeoutMs > 0)) throw new RangeError(`visibilityTimeoutMs must be > 0, got ${visibilityTimeoutMs}`);
    if (!(outcomeTtlMs > 0)) throw new RangeError(`outcomeTtlMs must be > 0, got ${outcomeTtlMs}`);
    this.#connection = new RedisQueueConnection(options.redis, prefix);
    this.#appends = new RedisAppendBatcher({
      run: (script, args) => this.#connection.run(script, args),
      answered: (reply) => this.#totals(reply),
      unsentBytes: () => this.#connection.unsentBytes,
      connected: () => this.#connection.connected,
    });
    this.#visibilityTimeoutMs = visibilityTimeoutMs;
    this.#leases = new RedisLeaseKeeper(visibilityTimeoutMs, async (args) =>
      this.#totals(await this.#run(RENEW, args)),
    );
    this.leaseDeadlines = {
      leaseMs: visibilityTimeoutMs,
      validUntil: (operations) => this.#leases.validUntil(operations),
    };
    this.sharedOutcomes = redisSharedOutcomes((script, args) => this.#run(script, args), this.#instance, outcomeTtlMs);
    this.#refreshTimer = setInterval(() => void this.refresh().catch(() => undefined), refreshIntervalMs).unref();
    // NOTE: start-up waits for the layout check, but not for a Redis that does not answer: the first failed
    // connection ends the wait (the queue then works as with Redis lost, and every script checks the layout).
    this.#ready = this.#connection.ready(this.refresh());
    this.#ready.catch(() => undefined);
  }

  /** Operations held in the shared queue (queued and leased, by any instance), as of the last answer from Redis. */
  get size(): number {
    return this.#size + this.#appends.size;
  }

  /** Bytes held in the shared queue, as of the last answer from Redis. */
  get bytes(): number {
    return this.#bytes + this.#appends.bytes;
  }

  /**
   * Resolves once `size` and `bytes` were first read from Redis, or that read failed, or (a client the store made)
   * the first connection failed. Rejects with a `CustomerIOConfigError` naming the prefix when the prefix
   * holds operations written by an earlier version of this store, in a layout this one cannot read (every
   * command then rejects with it too): deliver them with that version first, or use another prefix. The module
   * awaits it at start-up for `store: 'redis'`; await it yourself for a store you make.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Reads `size`, `bytes` and the oldest operation's id from Redis now. */
  async refresh(): Promise<void> {
    const reply = await this.#run(COUNTS, []);
    this.#totals(reply);
    this.#oldestId = reply[2] == null ? undefined : String(reply[2]);
  }

  /** The oldest operation held by any instance (queued or leased), as of the last {@link refresh}: see `stats`. */
  oldestId(): string | undefined {
    return this.#oldestId;
  }

  /**
   * Makes every append of this store keep the shared queue within `bound`, atomically in Redis: an
   * operation that does not fit is refused, or (`overflow: 'drop-oldest'`) the oldest operations that no
   * instance has leased are removed to make room for it. The queue calls it with its options.
   */
  enforceBound(bound: QueueBound): void {
    this.#appends.enforce(bound);
  }

  /**
   * Appends an operation. Appends go to Redis in chunks of at most 1,000 operations (or 512 KB), before any later
   * command of this store: a chunk when it is full, or at the end of its tick, once fewer than two chunks await Redis
   * (the next ticks' appends join it until then). The promise, the same for every operation of a chunk, settles once
   * Redis has answered the chunk, with what the bound did to each operation it refused or that made room, by id (see
   * {@link RedisQueueStore.enforceBound}).
   */
  append(operation: QueuedOperation): Promise<AppendResults | undefined> {
    return this.#appends.append(operation);
  }

  /**
   * Outcomes carried between the instances sharing the prefix, so that a receipt read on one instance settles
   * when another delivers (or finds invalid, fails, drops) its operation: watches and recorded outcomes live
   * in Redis, each checked and changed by one script call, and are forgotten after `outcomeTtlMs`. A watched
   * operation out of the queue for `OUTCOME_GRACE_MS` (1 s) with no outcome recorded (its instance's report
   * failed) is collected with none: the receipt rejects, the outcome cannot be known.
   */
  readonly sharedOutcomes: SharedOutcomes;

  /**
   * When this instance's leases end, by its own clock: Redis ends a lease `visibilityTimeoutMs` after the lease
   * or renewal ran there (by Redis's clock), which is later than that long after this instance sent it. A
   * renewal counts only when its answer came before the lease's known end: one that reached Redis later may
   * have found the operations leased by another instance and left them alone.
   */
  readonly leaseDeadlines: LeaseDeadlines;

  async lease({ maxOperations, maxBytes }: LeaseLimits): Promise<QueuedOperation[]> {
    const token = `${this.#instance}:${(this.#leaseCount += 1)}`;
    const sent = performance.now();
    const reply = await this.#run(LEASE, [maxOperations, maxBytes, this.#visibilityTimeoutMs, token]);
    this.#totals(reply);
    const operations: RedisLeasedOperation[] = [];
    for (let i = 2; i < reply.length; i += FIELDS) operations.push(operationAt(reply, i, token));
    this.#leases.hold(token, operations, sent);
    return operations;
  }

  async acknowledge(operations: readonly QueuedOperation[]): Promise<void> {
    if (operations.length === 0) return;
    this.#leases.forget(operations);
    try {
      const ids = operations.map(({ id }) => id);
      this.#totals(await this.#run(ACKNOWLEDGE, ids));
    } catch (error) {
      this.#logger.error(REDIS_ACKNOWLEDGE_FAILED(operations.length, error), {
        event: 'customerio.store.error',
        action: 'acknowledge',
        count: operations.length,
      });
    }
  }

  async release(operations: readonly QueuedOperation[]): Promise<void> {
    const byLease = new Map<string, (string | number)[]>();
    for (const operation of operations) {
      const { lease } = operation as RedisLeasedOperation;
      let args = byLease.get(lease);
      if (!args) byLease.set(lease, (args = [lease]));
      args.push(operation.id, operation.attempts);
    }
    this.#leases.forget(operations);
    for (const args of byLease.values()) {
      try {
        this.#totals(await this.#run(RELEASE, args));
      } catch (error) {
        const count = (args.length - 1) / 2;
        this.#logger.error(REDIS_RELEASE_FAILED(count, error), {
          event: 'customerio.store.error',
          action: 'release',
          count,
        });
      }
    }
  }

  /** Removes and returns the oldest operation that no instance has leased, if any. */
  async dropOldest(): Promise<QueuedOperation | undefined> {
    const reply = await this.#run(DROP_OLDEST, []);
    this.#totals(reply);
    return reply.length < 2 + FIELDS ? undefined : operationAt(reply, 2);
  }

  async has(id: string): Promise<boolean> {
    return (await this.#run(HAS, [id]))[0] === 1;
  }

  /**
   * Sends the appends still waiting, stops renewing leases and refreshing totals, waits for the answers to
   * the commands on their way (unless the connection is down), and closes the Redis client if the store
   * made it from a URL. Leases still held run out after `visibilityTimeoutMs`; release them first to hand
   * them on at once. A closed store sends nothing more: its methods reject.
   */
  async close(): Promise<void> {
    if (this.#connection.closed) return;
    this.#appends.flush(true);
    clearInterval(this.#refreshTimer);
    this.#leases.close();
    await this.#connection.close();
  }

  #totals(reply: RedisReply): void {
    this.#size = Number(reply[0]);
    this.#bytes = Number(reply[1]);
  }

  /** Runs a script, after the appends and commands still waiting (see `RedisAppendBatcher.inOrder`). */
  #run(script: string, args: (string | number)[]): Promise<RedisReply> {
    return this.#appends.inOrder(() => this.#connection.run(script, args));
  }
}
