import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DEFAULT_VISIBILITY_TIMEOUT_MS } from '../../customerio.constants.js';
import type { CustomerIODeliveryOutcome } from '../../interfaces/delivery-options.interface.js';
import type {
  AppendResult,
  CustomerIOQueueStore,
  LeaseDeadlines,
  LeaseLimits,
  QueueBound,
  QueuedOperation,
  SharedOutcome,
  SharedOutcomes,
} from '../../interfaces/queue-store.interface.js';
import { CustomerIOConfigError } from '../../errors/customerio.errors.js';
import { REDIS_OLD_LAYOUT } from '../../errors/customerio.messages.js';
import { KEY_COUNT, KEY_NAMES, OLD_LAYOUT_ERROR } from './redis-queue-layout.lua.js';
import { COLLECT, REPORT, WATCH } from './redis-queue-outcomes.lua.js';
import { ACKNOWLEDGE, APPEND, COUNTS, DROP_OLDEST, HAS, LEASE, RELEASE, RENEW } from './redis-queue.lua.js';

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

/** An operation handed out by a lease, with the lease's token for the way back. */
interface RedisLeasedOperation extends QueuedOperation {
  readonly lease: string;
}

type Reply = (string | number | null)[];

const FIELDS = 5;
/** Most operations appended by one script call (5 arguments each). */
const APPEND_CHUNK = 500;
/**
 * How long a watched operation may be gone from the store with no outcome recorded before its watcher's collect
 * answers that the outcome cannot be known (or half of `outcomeTtlMs`, if shorter): the instance that settled it
 * reports right after it acknowledges.
 */
export const OUTCOME_GRACE_MS = 1_000;
const OLD_LAYOUT = new RegExp(`${OLD_LAYOUT_ERROR} (\\d+)`);
/** The bound before the queue hands its own over: none. */
const UNBOUNDED: QueueBound = {
  maxQueueSize: Number.MAX_SAFE_INTEGER,
  maxQueueBytes: Number.MAX_SAFE_INTEGER,
  overflow: 'reject',
};

/** Appends made in one tick: sent together, each answered from its chunk's reply (by its place in the list). */
interface PendingAppends {
  readonly operations: QueuedOperation[];
  /** Settles once every chunk was answered, with the result of each operation refused or that made room. */
  readonly done: Promise<Map<number, AppendResult>>;
  readonly settle: { resolve(results: Map<number, AppendResult>): void; reject(error: unknown): void };
}

// NOTE: why sorted sets and hashes rather than Streams with consumer groups (or BullMQ): a consumer
// group hands entries out in stream order to whoever reads, with no way to say "not this key while
// another consumer holds one of its entries", and XAUTOCLAIM gives a dead consumer's entries to one
// reader out of order with the rest of their keys. BullMQ's groups (per-key order) are in its paid Pro
// edition. With a sorted set per key scored by append sequence, and one of the keys ready to lease scored
// by their oldest operation, one Lua script leases exactly as the in-memory store does — oldest first,
// skipping every key leased anywhere — at O(log n) per operation (see redis-queue-layout.lua.ts), and a
// lease deadline (another sorted set) makes a dead instance's operations leasable again in their original
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
  readonly #redis: Redis;
  readonly #ownsClient: boolean;
  readonly #keys: string[];
  readonly #visibilityTimeoutMs: number;
  readonly #outcomeTtlMs: number;
  readonly #prefix: string;
  readonly #shas = new Map<string, string>();
  /** This store's live leases: token to the ids it still holds. */
  readonly #held = new Map<string, Set<string>>();
  /**
   * Until when each live lease surely holds (`performance.now()` ms): from before the lease, or the last renewal
   * answered while the lease surely held, was sent, plus `visibilityTimeoutMs`.
   */
  readonly #validUntil = new Map<string, number>();
  readonly #instance = randomBytes(6).toString('hex');
  #leases = 0;
  #size = 0;
  #bytes = 0;
  #pendingSize = 0;
  #pendingBytes = 0;
  #bound = UNBOUNDED;
  /** Appends made in this tick, sent together at its end (or before the next command). */
  #appends?: PendingAppends;
  readonly #renewTimer: NodeJS.Timeout;
  readonly #refreshTimer: NodeJS.Timeout;
  readonly #ready: Promise<void>;
  /** Commands sent and not answered yet, each with a way to fail it: `close` waits for them (or fails them). */
  readonly #pending = new Map<Promise<unknown>, (error: Error) => void>();
  #closed = false;
  /** The store's own client lost its connection, and said so once. */
  #disconnected = false;

  constructor(options: RedisQueueStoreOptions) {
    const {
      prefix = 'customerio:queue',
      visibilityTimeoutMs = DEFAULT_VISIBILITY_TIMEOUT_MS,
      refreshIntervalMs = 1_000,
      outcomeTtlMs = 3_600_000,
    } = options;
    if (!(visibilityTimeoutMs > 0)) throw new RangeError(`visibilityTimeoutMs must be > 0, got ${visibilityTimeoutMs}`);
    if (!(outcomeTtlMs > 0)) throw new RangeError(`outcomeTtlMs must be > 0, got ${outcomeTtlMs}`);
    this.#ownsClient = typeof options.redis === 'string';
    // NOTE: `close` disconnects its own client only when the connection is lost, and ioredis then keeps the dead
    // socket's close timer (`disconnectTimeout`) running: short, it does not hold the process up.
    this.#redis =
      typeof options.redis === 'string' ? new Redis(options.redis, { disconnectTimeout: 100 }) : options.redis;
    // NOTE: ioredis prints an 'error' event nobody listens to as "Unhandled error event"; it emits one for
    // every failed reconnection, so the loss is logged once, until the connection is ready again.
    if (this.#ownsClient) {
      this.#redis.on('error', (error: unknown) => {
        if (this.#disconnected) return;
        this.#disconnected = true;
        this.#logger.warn(`CustomerIO Redis store lost its connection (reconnecting): ${String(error)}`);
      });
      this.#redis.on('ready', () => (this.#disconnected = false));
    }
    this.#keys = KEY_NAMES.map((name) => `{${prefix}}:${name}`);
    this.#visibilityTimeoutMs = visibilityTimeoutMs;
    this.#outcomeTtlMs = outcomeTtlMs;
    this.leaseDeadlines = { leaseMs: visibilityTimeoutMs, validUntil: (operations) => this.#leaseEnd(operations) };
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(10, Math.floor(visibilityTimeoutMs / 3))).unref();
    this.#refreshTimer = setInterval(() => void this.refresh().catch(() => undefined), refreshIntervalMs).unref();
    this.#prefix = prefix;
    // NOTE: start-up waits for the layout check, but not for a Redis that does not answer: the first failed
    // connection ends the wait (the queue then works as with Redis lost, and every script checks the layout).
    this.#ready = new Promise<void>((resolve, reject) => {
      this.refresh().then(resolve, (error: unknown) =>
        error instanceof CustomerIOConfigError ? reject(error) : resolve(),
      );
      if (this.#ownsClient) this.#redis.once('error', () => resolve());
    });
    this.#ready.catch(() => undefined);
  }

  /** Operations held in the shared queue (queued and leased, by any instance), as of the last answer from Redis. */
  get size(): number {
    return this.#size + this.#pendingSize;
  }

  /** Bytes held in the shared queue, as of the last answer from Redis. */
  get bytes(): number {
    return this.#bytes + this.#pendingBytes;
  }

  /**
   * Resolves once `size` and `bytes` were first read from Redis, or that read failed, or (a client the store made)
   * the first connection failed. Rejects with a {@link CustomerIOConfigError} naming the prefix when the prefix
   * holds operations written by an earlier version of this store, in a layout this one cannot read (every
   * command then rejects with it too): deliver them with that version first, or use another prefix. The module
   * awaits it at start-up for `store: 'redis'`; await it yourself for a store you make.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Reads `size` and `bytes` from Redis now. */
  async refresh(): Promise<void> {
    this.#totals(await this.#run(COUNTS, []));
  }

  /**
   * Makes every append of this store keep the shared queue within `bound`, atomically in Redis: an
   * operation that does not fit is refused, or (`overflow: 'drop-oldest'`) the oldest operations that no
   * instance has leased are removed to make room for it. The queue calls it with its options.
   */
  enforceBound(bound: QueueBound): void {
    this.#bound = bound;
  }

  /**
   * Appends an operation. Appends made in the same tick go to Redis together, in chunks of
   * {@link APPEND_CHUNK}, before any other command of this store; the promise settles once they all did,
   * with what the bound did to this operation (see {@link RedisQueueStore.enforceBound}), if anything.
   */
  append(operation: QueuedOperation): Promise<AppendResult | undefined> {
    this.#pendingSize += 1;
    this.#pendingBytes += operation.bytes;
    if (!this.#appends) {
      let settle!: PendingAppends['settle'];
      const done = new Promise<Map<number, AppendResult>>((resolve, reject) => (settle = { resolve, reject }));
      this.#appends = { operations: [], done, settle };
      queueMicrotask(() => this.#flushAppends());
    }
    const place = this.#appends.operations.push(operation) - 1;
    return this.#appends.done.then((results) => results.get(place));
  }

  /**
   * Outcomes carried between the instances sharing the prefix, so that a receipt read on one instance settles
   * when another delivers (or finds invalid, fails, drops) its operation: watches and recorded outcomes live
   * in Redis, each checked and changed by one script call, and are forgotten after `outcomeTtlMs`. A watched
   * operation out of the queue for {@link OUTCOME_GRACE_MS} with no outcome recorded (its instance's report
   * failed) is collected with none: the receipt rejects, the outcome cannot be known.
   */
  readonly sharedOutcomes: SharedOutcomes = {
    watch: async (ids) => {
      await this.#run(WATCH, [this.#instance, this.#outcomeTtlMs, ...ids]);
    },
    report: async (outcome, ids, reason = '') => {
      await this.#run(REPORT, [this.#instance, this.#outcomeTtlMs, outcome, reason, ...ids]);
    },
    collect: async (ids) => {
      // NOTE: a mark of an operation gone ages out with `outcomeTtlMs`: the grace must end well before.
      const grace = Math.min(OUTCOME_GRACE_MS, Math.floor(this.#outcomeTtlMs / 2));
      const reply = await this.#run(COLLECT, [this.#instance, this.#outcomeTtlMs, grace, ...ids]);
      const outcomes: SharedOutcome[] = [];
      for (let i = 0; i < reply.length; i += 2) {
        const recorded = String(reply[i + 1]);
        const newline = recorded.indexOf('\n');
        const outcome = recorded.slice(0, newline) as CustomerIODeliveryOutcome | '';
        const reason = recorded.slice(newline + 1);
        outcomes.push({ id: String(reply[i]), ...(outcome && { outcome }), ...(reason && { reason }) });
      }
      return outcomes;
    },
  };

  /**
   * When this instance's leases end, by its own clock: Redis ends a lease `visibilityTimeoutMs` after the lease
   * or renewal ran there (by Redis's clock), which is later than that long after this instance sent it. A
   * renewal counts only when its answer came before the lease's known end: one that reached Redis later may
   * have found the operations leased by another instance and left them alone.
   */
  readonly leaseDeadlines: LeaseDeadlines;

  async lease({ maxOperations, maxBytes }: LeaseLimits): Promise<QueuedOperation[]> {
    const token = `${this.#instance}:${(this.#leases += 1)}`;
    const sent = performance.now();
    const reply = await this.#run(LEASE, [maxOperations, maxBytes, this.#visibilityTimeoutMs, token]);
    this.#totals(reply);
    const operations: RedisLeasedOperation[] = [];
    for (let i = 2; i < reply.length; i += FIELDS) {
      operations.push({
        id: String(reply[i]),
        key: String(reply[i + 1]),
        json: String(reply[i + 2]),
        bytes: Number(reply[i + 3]),
        attempts: Number(reply[i + 4]),
        lease: token,
      });
    }
    if (operations.length) {
      this.#held.set(token, new Set(operations.map(({ id }) => id)));
      this.#validUntil.set(token, sent + this.#visibilityTimeoutMs);
    }
    return operations;
  }

  async acknowledge(operations: readonly QueuedOperation[]): Promise<void> {
    if (operations.length === 0) return;
    this.#forget(operations);
    try {
      this.#totals(
        await this.#run(
          ACKNOWLEDGE,
          operations.map(({ id }) => id),
        ),
      );
    } catch (error) {
      this.#logger.error(
        `CustomerIO Redis store could not acknowledge ${operations.length} operations (they will be sent again): ${String(error)}`,
      );
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
    this.#forget(operations);
    for (const args of byLease.values()) {
      try {
        this.#totals(await this.#run(RELEASE, args));
      } catch (error) {
        this.#logger.error(
          `CustomerIO Redis store could not release ${(args.length - 1) / 2} operations (their lease will run out): ${String(error)}`,
        );
      }
    }
  }

  /** Removes and returns the oldest operation that no instance has leased, if any. */
  async dropOldest(): Promise<QueuedOperation | undefined> {
    const reply = await this.#run(DROP_OLDEST, []);
    this.#totals(reply);
    if (reply.length < 2 + FIELDS) return undefined;
    return {
      id: String(reply[2]),
      key: String(reply[3]),
      json: String(reply[4]),
      bytes: Number(reply[5]),
      attempts: Number(reply[6]),
    };
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
    if (this.#closed) return;
    this.#flushAppends();
    this.#closed = true;
    clearInterval(this.#renewTimer);
    clearInterval(this.#refreshTimer);
    this.#held.clear();
    this.#validUntil.clear();
    // NOTE: a command still on its way may send another (the EVAL after a NOSCRIPT answer): sent after QUIT,
    // it would fail, and its write to the socket Redis closed would make the client emit EPIPE.
    await this.#answered();
    if (!this.#ownsClient) return;
    if (this.#redis.status === 'ready') {
      await this.#redis.quit().catch(() => this.#redis.disconnect());
      return;
    }
    // NOTE: QUIT waits in the offline queue while Redis is unreachable; closing must not wait for Redis. And the
    // commands waiting there never settle once the client is disconnected: they fail here instead.
    const error = new Error('CustomerIO Redis store was closed while Redis was unreachable');
    for (const fail of this.#pending.values()) fail(error);
    this.#redis.disconnect();
  }

  #forget(operations: readonly QueuedOperation[]): void {
    for (const operation of operations) {
      const { lease } = operation as RedisLeasedOperation;
      const ids = this.#held.get(lease);
      if (!ids) continue;
      ids.delete(operation.id);
      if (ids.size > 0) continue;
      this.#held.delete(lease);
      this.#validUntil.delete(lease);
    }
  }

  /** The earliest known end among the leases still holding `operations` (see `leaseDeadlines`). */
  #leaseEnd(operations: readonly QueuedOperation[]): number {
    if (this.#closed) return -Infinity;
    let end = Infinity;
    for (const operation of operations) {
      const { lease } = operation as RedisLeasedOperation;
      if (this.#held.get(lease)?.has(operation.id)) end = Math.min(end, this.#validUntil.get(lease) ?? -Infinity);
    }
    return end;
  }

  async #renew(): Promise<void> {
    if (this.#held.size === 0) return;
    const args: (string | number)[] = [this.#visibilityTimeoutMs];
    for (const [token, ids] of this.#held) for (const id of ids) args.push(token, id);
    const tokens = [...this.#held.keys()];
    const sent = performance.now();
    try {
      this.#totals(await this.#run(RENEW, args));
      const answered = performance.now();
      for (const token of tokens) {
        const end = this.#validUntil.get(token);
        if (end !== undefined && answered < end)
          this.#validUntil.set(token, Math.max(end, sent + this.#visibilityTimeoutMs));
      }
    } catch (error) {
      this.#logger.warn(`CustomerIO Redis store could not renew its leases: ${String(error)}`);
    }
  }

  #totals(reply: Reply): void {
    this.#size = Number(reply[0]);
    this.#bytes = Number(reply[1]);
  }

  /**
   * Sends the appends waiting for this tick's end now, so that they reach Redis before the command that
   * follows: a lease or a read must see every operation appended before it.
   */
  #flushAppends(): void {
    const appends = this.#appends;
    if (!appends) return;
    this.#appends = undefined;
    const { maxQueueSize, maxQueueBytes, overflow } = this.#bound;
    const results = new Map<number, AppendResult>();
    const chunks: Promise<void>[] = [];
    for (let start = 0; start < appends.operations.length; start += APPEND_CHUNK) {
      const chunk = appends.operations.slice(start, start + APPEND_CHUNK);
      const args: (string | number)[] = [maxQueueSize, maxQueueBytes, overflow];
      for (const { id, key, json, bytes, attempts } of chunk) args.push(id, key, json, bytes, attempts);
      chunks.push(
        this.#send(APPEND, args)
          .then((reply) => {
            this.#totals(reply);
            // After the totals: place (1-based in the chunk), refused (1/0), count of ids dropped for it, those ids.
            for (let i = 2; i < reply.length; i += 3 + Number(reply[i + 2])) {
              const droppedIds = reply.slice(i + 3, i + 3 + Number(reply[i + 2])).map(String);
              results.set(start + Number(reply[i]) - 1, { rejected: reply[i + 1] === 1, droppedIds });
            }
          })
          .finally(() => {
            this.#pendingSize -= chunk.length;
            this.#pendingBytes -= chunk.reduce((sum, { bytes }) => sum + bytes, 0);
          }),
      );
    }
    Promise.all(chunks).then(() => appends.settle.resolve(results), appends.settle.reject);
  }

  /** Runs a script, after the appends still waiting (see `#flushAppends`). */
  #run(script: string, args: (string | number)[]): Promise<Reply> {
    this.#flushAppends();
    return this.#send(script, args);
  }

  /** Runs a script by its SHA, loading it when Redis does not know it (first use, or after a restart). */
  #send(script: string, args: (string | number)[]): Promise<Reply> {
    let sha = this.#shas.get(script);
    if (!sha) this.#shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
    const evaluate = async (): Promise<Reply> => {
      try {
        return (await this.#redis.evalsha(sha, KEY_COUNT, ...this.#keys, ...args)) as Reply;
      } catch (error) {
        if (!String(error).includes('NOSCRIPT')) throw error;
        return (await this.#redis.eval(script, KEY_COUNT, ...this.#keys, ...args)) as Reply;
      }
    };
    return this.#command(() => evaluate().catch((error: unknown) => Promise.reject(this.#explained(error))));
  }

  /** A script's refusal of a prefix in an earlier version's layout, as the error it stands for; any other error as it is. */
  #explained(error: unknown): unknown {
    const old = OLD_LAYOUT.exec(String(error));
    return old
      ? new CustomerIOConfigError('queue.redis.prefix', REDIS_OLD_LAYOUT(this.#prefix, Number(old[1])))
      : error;
  }

  /** Sends through the client, unless the store is closed, and keeps the command in `#pending` until answered. */
  #command<T>(send: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('CustomerIO Redis store is closed'));
    let fail!: (error: Error) => void;
    const command = new Promise<T>((resolve, reject) => {
      fail = reject;
      send().then(resolve, reject);
    });
    this.#pending.set(command, fail);
    const settled = (): void => void this.#pending.delete(command);
    command.then(settled, settled);
    return command;
  }

  /** Resolves once the commands on their way are answered, or at once if the connection is (or goes) down. */
  async #answered(): Promise<void> {
    if (this.#pending.size === 0 || this.#redis.status !== 'ready') return;
    let dropped!: () => void;
    const down = new Promise<void>((resolve) => this.#redis.once('close', (dropped = resolve)));
    await Promise.race([Promise.allSettled(this.#pending.keys()), down]);
    this.#redis.off('close', dropped);
  }
}
