import type { CustomerIODeliveryOutcome } from './delivery-outcome.interface.js';

/**
 * One operation waiting in the queue: a Customer.io v2 batch operation, already serialized.
 * Stores keep these as they are and hand them back unchanged (but for `attempts`).
 */
export interface QueuedOperation {
  /**
   * The operation's id: a ULID the queue gives each call, never repeated (also the event's `id` at Customer.io,
   * unless the caller chose one; see `CustomerIOReceipt.id`).
   */
  readonly id: string;
  /** Ordering key: operations with the same key are delivered in the order they were appended. */
  readonly key: string;
  /** The v2 operation as JSON. */
  readonly json: string;
  /** UTF-8 bytes of `json`: what it weighs in a batch. */
  readonly bytes: number;
  /** Failed delivery attempts so far. */
  attempts: number;
}

/** What happens to a new operation when the queue is full. */
export type CustomerIOOverflowPolicy = 'reject' | 'drop-oldest';

/** How much one lease may take. */
export interface LeaseLimits {
  readonly maxOperations: number;
  /** Sum of the leased operations' `bytes`, separators not counted. */
  readonly maxBytes: number;
}

/**
 * The queue's bound, handed to a store that enforces it itself (see {@link CustomerIOQueueStore.enforceBound}):
 * the queue's `maxQueueSize`, `maxQueueBytes` and `overflow` options.
 */
export interface QueueBound {
  /** Most operations held, queued and leased. */
  readonly maxQueueSize: number;
  /** Most bytes held (the operations' `bytes`), queued and leased. */
  readonly maxQueueBytes: number;
  /**
   * What an append that does not fit does: `'reject'` refuses it; `'drop-oldest'` first removes the oldest
   * operations no lease holds, and refuses it only when removing them all would not make room.
   */
  readonly overflow: CustomerIOOverflowPolicy;
}

/**
 * What `append` answers in a store that enforces the bound: whether the operation was refused, and which
 * operations were removed to make room for it. The queue reports them `rejected` and `dropped`.
 */
export interface AppendResult {
  /** The operation did not fit and was not stored. */
  readonly rejected?: boolean;
  /** Ids of the operations removed to make room for this one (`overflow: 'drop-oldest'`), oldest first. */
  readonly droppedIds?: readonly string[];
}

/**
 * What a store that sends its appends in batches may answer instead of an {@link AppendResult} each: the same
 * promise for every operation of a batch, resolved with the result of each one the bound refused or that made room,
 * by id (an operation it does not name was stored as it was). The queue then waits on the batch, not on each call.
 */
export type AppendResults = ReadonlyMap<string, AppendResult>;

/** An outcome another process reached for an operation this one watches (see {@link SharedOutcomes}). */
export interface SharedOutcome {
  readonly id: string;
  /**
   * Absent when the operation left the store with no outcome recorded for this process, so nobody can tell it:
   * it was settled elsewhere while this process's watch of it was missing (a `watch` call that failed), or the
   * process that settled it did not record its outcome within the store's grace (a `report` that failed, or a
   * process that died in between).
   */
  readonly outcome?: CustomerIODeliveryOutcome;
  /** Why, for every outcome but `delivered` (see `CustomerIODeliveryReport.reason`). */
  readonly reason?: string;
}

/**
 * Optional capability of a store shared by several processes (see {@link CustomerIOQueueStore.sharedOutcomes}):
 * it carries outcomes between them, so that the receipt of an operation one process enqueued settles when
 * another one delivers it, finds it invalid, fails it or drops it. Each process is told apart by a token of
 * the store's own.
 */
export interface SharedOutcomes {
  /**
   * Records that this process waits for the outcomes of `ids` (receipts it reads). The queue sends the ids of
   * one tick together, and before it asks the store whether an operation is still held (`has`). An id has
   * one watcher: the last process to watch it.
   */
  watch(ids: readonly string[]): MaybePromise<void>;
  /**
   * Hands over an outcome this process reached (the queue calls it once per report, with all its ids):
   * records it for each id another process watches, and ends this process's own watches of `ids` (it settled
   * those receipts itself). Called for every report, so it must be cheap when nobody watches.
   */
  report(outcome: CustomerIODeliveryOutcome, ids: readonly string[], reason?: string): MaybePromise<void>;
  /**
   * Answers, and forgets, the outcomes recorded for the `ids` this process watches (those of its receipts
   * still waiting), and keeps watching the others; an id neither watched nor held any more, or watched but gone
   * from the store for the store's grace with no outcome recorded, is answered with no outcome (see
   * {@link SharedOutcome.outcome}). The queue calls it on its flush interval.
   */
  collect(ids: readonly string[]): MaybePromise<SharedOutcome[]>;
}

/**
 * Optional capability of a store whose leases run out unless renewed (see {@link CustomerIOQueueStore.leaseDeadlines}),
 * such as a store shared by several processes: past the end of a lease another process may lease the same
 * operations, so the queue sends nothing for a batch whose lease may have ended.
 */
export interface LeaseDeadlines {
  /** How long a lease lives unless renewed, in ms (the store's visibility timeout). */
  readonly leaseMs: number;
  /**
   * Until when this process is sure to still hold the leases of `operations` (leased by this process), in ms
   * on the clock of `performance.now()`: the earliest end among their leases, counted from before the lease
   * or the last renewal that succeeded was sent. `Infinity` when none of them is leased any more (settled);
   * `-Infinity` once the store is closed.
   */
  validUntil(operations: readonly QueuedOperation[]): number;
}

/** A value, or a promise of it: the in-memory store answers synchronously, durable stores may not. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Where the batching queue keeps its operations. The in-memory store is the default; a store of your
 * own (durable, shared) implements this contract:
 *
 * - `append` keeps the operation until it is acknowledged or dropped.
 * - `lease` hands out the oldest operations not leased already, in order, skipping every operation
 *   whose `key` has an operation leased (so one key's operations are never in two batches at once)
 *   and, once one of a key's operations was skipped, every later one of that key.
 * - `acknowledge` forgets leased operations for good (delivered, or finally failed).
 * - `release` returns leased operations to the queue in their original places, with their new `attempts`.
 * - `dropOldest` removes and returns the oldest operation not leased, if any.
 * - `has` tells whether an operation is still held (queued or leased).
 * - `size` and `bytes` count every operation held, leased ones included.
 * - `oldestId` (optional) names the oldest operation held.
 *
 * The queue bounds itself by `size` and `bytes`, which is exact for a store only this queue appends to. A
 * store shared by several processes implements `enforceBound` to make the bound exact across all of them,
 * `sharedOutcomes` to settle receipts whose operations another process delivered, and `leaseDeadlines` when its
 * leases run out, so that no process sends a batch another one may have leased since.
 */
export interface CustomerIOQueueStore {
  /**
   * Whether operations outlive the process. A durable store keeps what is left at shutdown (released, for
   * the next start to send) instead of having it reported `undelivered`, and the queue sends what it finds
   * in the store when the application starts.
   */
  readonly durable?: boolean;
  readonly size: number;
  readonly bytes: number;
  /**
   * Optional: the queue hands its bound over once, before its first append, and the store enforces it
   * itself, atomically with each append: `append` then answers an {@link AppendResult} for an operation it
   * refused or that made it drop others, and the queue no longer calls `dropOldest` to make room. The queue
   * still refuses at once an operation that `size` and `bytes` already say does not fit.
   */
  enforceBound?(bound: QueueBound): void;
  /**
   * Optional, for a store shared by several processes: the outcomes they reach for each other's operations.
   * Without it (a store of one process), a receipt settles only with the outcomes this process reaches, which
   * is every outcome of the operations it enqueued.
   */
  readonly sharedOutcomes?: SharedOutcomes;
  /**
   * Optional, for a store whose leases run out: when each lease of this process ends. The queue aborts a batch's
   * request at that end (minus a tenth of `leaseMs`, a safety margin), starts no request or retry that could end
   * past it, and hands the batch back without spending a delivery attempt. Without it, a lease never runs out.
   */
  readonly leaseDeadlines?: LeaseDeadlines;
  /**
   * Keeps the operation; a store that enforces the bound answers what the bound did (see `enforceBound`). The
   * queue resolves the operation's `receipt.stored` when `append` returned, or when the promise it returned
   * resolved: answer once the operation is held as durably as the store holds anything (a rejection, or a
   * refusal by the bound, rejects `stored`). A store sending appends in batches may answer every operation of a
   * batch with one promise of {@link AppendResults}.
   */
  append(operation: QueuedOperation): MaybePromise<void | AppendResult | AppendResults>;
  lease(limits: LeaseLimits): MaybePromise<QueuedOperation[]>;
  acknowledge(operations: readonly QueuedOperation[]): MaybePromise<void>;
  release(operations: readonly QueuedOperation[]): MaybePromise<void>;
  dropOldest(): MaybePromise<QueuedOperation | undefined>;
  has(id: string): MaybePromise<boolean>;
  /**
   * Optional: the id of the oldest operation held (queued or leased, by append order), `undefined` when empty. The
   * queue reads it for `stats.oldestQueuedAgeMs` (the id, a ULID, carries when it was enqueued): each time `stats` is
   * read when it answers synchronously (keep it cheap: no scan), or once a flush interval when it answers a promise.
   * Without it, the queue estimates the age from its own leases.
   */
  oldestId?(): MaybePromise<string | undefined>;
  /** Lets go of files and connections; the queue calls it at shutdown for a store it made. */
  close?(): MaybePromise<void>;
}

/**
 * Which store holds the queue: `'memory'` (`MemoryQueueStore`, the default), `'sqlite'` (`SqliteQueueStore`),
 * `'redis'` (`RedisQueueStore`), or `'custom'` (a store of your own).
 */
export type CustomerIOStoreKind = 'memory' | 'sqlite' | 'redis' | 'custom';
