import type { Logger } from '@nestjs/common';
import { CustomerIOError } from '../errors/customerio.errors.js';
import {
  RECEIPT_LOOKUP_FAILED,
  RECEIPT_OUTCOME_LOST,
  RECEIPT_TOO_LATE,
  SHARED_OUTCOMES_FAILED,
} from '../errors/customerio.messages.js';
import type { CustomerIODeliveryOutcome } from '../interfaces/delivery-options.interface.js';
import type { CustomerIOQueueStore, MaybePromise, SharedOutcomes } from '../interfaces/queue-store.interface.js';

/** Where a receipt learns its operation's outcome (the queue). */
interface ReceiptSource {
  whenSettled(id: string, epoch: number): Promise<void>;
}

/** What `enqueue` returns: the operation's id, and ways to know when it is stored and when it is delivered. */
export class CustomerIOReceipt {
  #delivered?: Promise<void>;
  /** `stored` as the queue answered it: nothing (held at once), a refusal at once, or a promise. */
  #stored: Promise<void> | CustomerIOError | undefined;

  constructor(
    /**
     * The operation's id: a ULID the queue gives every call, never repeated, which names the operation in
     * delivery reports, hooks and logs. For an event it is also the event's `id` at Customer.io (which
     * deduplicates events by id), unless the caller chose an `id` of their own: that one is sent instead.
     */
    readonly id: string,
    private readonly queue: ReceiptSource,
    private readonly epoch: number,
    stored?: Promise<void> | CustomerIOError,
  ) {
    this.#stored = stored;
  }

  /**
   * Resolves when the queue's store holds the operation; rejects with a `CustomerIOError` saying why when it
   * does not: the store failed to append it (the operation is then reported `failed`), or refused it under the
   * bound it enforces (a `CustomerIOQueueFullError`; reported `rejected`). With a durable store, an operation
   * whose `stored` resolved survives the process being killed (`kill -9`) and is delivered after a restart or
   * by another instance. Memory store: resolves at once, and nothing survives the process. SQLite: resolves at
   * once (the operation was committed before the call returned). Redis: resolves once Redis acknowledged the
   * append (the appends of one tick go in one round trip). Reading it is optional: a rejection nobody reads is
   * not an unhandled one.
   */
  get stored(): Promise<void> {
    if (!(this.#stored instanceof Promise))
      this.#stored = this.#stored ? Promise.reject(this.#stored) : Promise.resolve();
    return this.#stored;
  }

  /**
   * Resolves when Customer.io accepted the operation (in mode `'disabled'`, when it would have been sent); rejects with a `CustomerIOError` when it finally
   * failed (invalid, failed after retries, dropped, or undelivered at shutdown). Read it right after the
   * call (`await client.track(...).delivered`, or keep the promise): outcomes are not kept, so a receipt
   * first read after its operation settled rejects, saying so. With a store shared by several instances
   * (Redis), it also settles when another instance settles the operation, within a flush interval.
   */
  get delivered(): Promise<void> {
    this.#delivered ??= this.queue.whenSettled(this.id, this.epoch);
    return this.#delivered;
  }
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The receipts read and not settled yet: settled by the outcomes this process reports and, with a store
 * several processes share (see `CustomerIOQueueStore.sharedOutcomes`), by those the others reach: every
 * waiting id is watched in the store, and the outcomes recorded for them collected on the queue's interval.
 */
export class ReceiptRegistry {
  readonly #waiters = new Map<string, Waiter>();
  readonly #shared?: SharedOutcomes;
  /** Ids of the receipts read in this tick, watched together at its end. */
  #unwatched: string[] = [];
  /** A collect of shared outcomes is on its way: the next tick does not send another. */
  #collecting = false;

  constructor(
    private readonly store: CustomerIOQueueStore,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.#shared = store.sharedOutcomes;
  }

  /**
   * A promise of operation `id`'s outcome. `mayHaveSettled`: something was leased or settled since the
   * operation was enqueued, so the store is asked whether it still holds it (if not, its outcome is gone).
   */
  wait(id: string, mayHaveSettled: boolean): Promise<void> {
    const settled = new Promise<void>((resolve, reject) => this.#waiters.set(id, { resolve, reject }));
    // NOTE: watched before the lookup below: an operation still held then settles after the watch is in place.
    if (this.#shared) this.#watch(id, mayHaveSettled);
    if (!mayHaveSettled) return settled;
    // Settling takes network I/O, so an operation held now cannot settle before this check answers.
    const settleUnlessHeld = (held: boolean, error?: CustomerIOError): void => {
      const waiter = this.#waiters.get(id);
      if (held || !waiter) return;
      this.#waiters.delete(id);
      waiter.reject(error ?? new CustomerIOError(RECEIPT_TOO_LATE(id)));
    };
    new Promise<boolean>((resolve) => resolve(this.store.has(id))).then(settleUnlessHeld, (error: unknown) =>
      settleUnlessHeld(false, new CustomerIOError(RECEIPT_LOOKUP_FAILED(id, error))),
    );
    return settled;
  }

  /**
   * Settles the receipts of `ids` with an outcome this process reached (resolved when delivered, else
   * rejected with `error` or one saying the outcome and why), and hands it to a shared store for the
   * receipts other processes read.
   */
  settle(outcome: CustomerIODeliveryOutcome, ids: readonly string[], reason?: string, error?: CustomerIOError): void {
    if (this.#shared) {
      // NOTE: a rejected operation never entered the shared store: no other process waits for it, and only this
      // one's own watches need ending (one call per rejection would be many when the queue is full).
      const shared = outcome === 'rejected' ? ids.filter((id) => this.#waiters.has(id)) : ids;
      if (shared.length) this.#share('report', () => this.#shared!.report(outcome, shared, reason));
    }
    this.#settleHere(outcome, ids, reason, error);
  }

  /** Settles the receipts whose operations another process settled: their outcomes, as the store recorded them. */
  collect(): void {
    if (!this.#shared || this.#waiters.size === 0 || this.#collecting) return;
    this.#collecting = true;
    const ids = [...this.#waiters.keys()];
    this.#share('collect', async () => {
      try {
        for (const { id, outcome, reason } of await this.#shared!.collect(ids)) {
          if (outcome) this.#settleHere(outcome, [id], reason);
          else this.#settleHere('failed', [id], undefined, new CustomerIOError(RECEIPT_OUTCOME_LOST(id)));
        }
      } finally {
        this.#collecting = false;
      }
    });
  }

  #settleHere(
    outcome: CustomerIODeliveryOutcome,
    ids: readonly string[],
    reason?: string,
    error?: CustomerIOError,
  ): void {
    if (this.#waiters.size === 0) return;
    for (const id of ids) {
      const waiter = this.#waiters.get(id);
      if (!waiter) continue;
      this.#waiters.delete(id);
      if (outcome === 'delivered' || outcome === 'disabled') waiter.resolve();
      else waiter.reject(error ?? new CustomerIOError(`${outcome}: ${reason ?? ''}`));
    }
  }

  /**
   * Has the store watch `id` for the outcomes of other processes: with the other ids of this tick, at its end,
   * or at once (`now`, before a lookup of the operation in the store).
   */
  #watch(id: string, now: boolean): void {
    if (this.#unwatched.push(id) === 1 && !now) queueMicrotask(() => this.#sendWatches());
    if (now) this.#sendWatches();
  }

  #sendWatches(): void {
    const ids = this.#unwatched;
    if (ids.length === 0) return;
    this.#unwatched = [];
    // NOTE: a watch that fails is made again by the next collect, which watches every id it asks about.
    this.#share('watch', () => this.#shared!.watch(ids));
  }

  /** Calls the store's shared outcomes, logging a failure: it costs receipts, never delivery. */
  #share(what: 'watch' | 'report' | 'collect', call: () => MaybePromise<unknown>): void {
    new Promise((resolve) => resolve(call())).catch((error: unknown) =>
      this.logger.warn(SHARED_OUTCOMES_FAILED(what, error)),
    );
  }
}
