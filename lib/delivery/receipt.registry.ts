import type { Logger } from '@nestjs/common';
import { CustomerIOError } from '../errors/customerio.errors.js';
import {
  RECEIPT_LOOKUP_FAILED,
  RECEIPT_OUTCOME_LOST,
  RECEIPT_TOO_LATE,
  SHARED_OUTCOMES_FAILED,
} from '../errors/customerio.messages.js';
import type { CustomerIODeliveryOutcome } from '../interfaces/delivery-outcome.interface.js';
import type { CustomerIOQueueStore, MaybePromise, SharedOutcomes } from '../interfaces/queue-store.interface.js';
import type { ReceiptSource } from './customerio-receipt.js';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The receipts read and not settled yet: settled by the outcomes this process reports and, with a store
 * several processes share (see `CustomerIOQueueStore.sharedOutcomes`), by those the others reach: every
 * waiting id is watched in the store, and the outcomes recorded for them collected on the queue's interval.
 */
export class ReceiptRegistry implements ReceiptSource {
  readonly #waiters = new Map<string, Waiter>();
  /**
   * Counts leases, and outcomes reached without one (drops, appends the store refused or failed, shutdown's
   * leftovers): a receipt read in the same epoch as its enqueue needs no lookup.
   */
  #epoch = 0;
  readonly #shared?: SharedOutcomes;
  /** Ids of the receipts read in this tick, watched together at its end. */
  #unwatched: string[] = [];
  /** Whether a collect of shared outcomes is `'under-way'`: the next tick then sends no other. */
  #collect: 'idle' | 'under-way' = 'idle';

  constructor(
    private readonly store: CustomerIOQueueStore,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.#shared = store.sharedOutcomes;
  }

  /** The current receipt epoch: a receipt made now carries it. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Starts a new epoch: something is leased, or settles without a lease. */
  advanceEpoch(): void {
    this.#epoch += 1;
  }

  /**
   * A promise of the outcome of operation `id`, enqueued in `epoch`. When the epoch moved on since (something
   * was leased or settled), the store is asked whether it still holds the operation (if not, its outcome is gone).
   */
  whenSettled(id: string, epoch: number): Promise<void> {
    // NOTE: nothing was leased or settled without a lease since the operation was enqueued, so it cannot have settled.
    const mayHaveSettled = epoch !== this.#epoch;
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
    if (!this.#shared || this.#waiters.size === 0 || this.#collect === 'under-way') return;
    this.#collect = 'under-way';
    const ids = [...this.#waiters.keys()];
    this.#share('collect', async () => {
      try {
        for (const { id, outcome, reason } of await this.#shared!.collect(ids)) {
          if (outcome) this.#settleHere(outcome, [id], reason);
          else this.#settleHere('failed', [id], undefined, new CustomerIOError(RECEIPT_OUTCOME_LOST(id)));
        }
      } finally {
        this.#collect = 'idle';
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
