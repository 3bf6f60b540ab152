import type { CustomerIOError } from '../errors/customerio.errors.js';
import { PendingAppends } from './pending-appends.js';

/** Where a receipt learns its operation's outcome (the queue's receipt registry). */
export interface ReceiptSource {
  /** A promise settled with the outcome of operation `id`, enqueued in receipt epoch `epoch`. */
  whenSettled(id: string, epoch: number): Promise<void>;
}

/** What `enqueue` returns: the operation's id, and ways to know when it is stored and when it is delivered. */
export class CustomerIOReceipt {
  #delivered?: Promise<void>;
  /** `stored` as the queue answered it: nothing (held at once), a refusal at once, the appends it waits with, or a promise. */
  #stored: Promise<void> | PendingAppends | CustomerIOError | undefined;

  constructor(
    /**
     * The operation's id: a ULID the queue gives every call, never repeated, which names the operation in
     * delivery reports, hooks and logs. For an event it is also the event's `id` at Customer.io (which
     * deduplicates events by id), unless the caller chose an `id` of their own: that one is sent instead.
     */
    readonly id: string,
    private readonly source: ReceiptSource,
    private readonly epoch: number,
    stored?: PendingAppends | CustomerIOError,
  ) {
    this.#stored = stored;
  }

  /**
   * Resolves when the queue's store holds the operation; rejects with a `CustomerIOError` saying why when it
   * does not: the store failed to append it (the operation is then reported `failed`), or refused it under the
   * bound it enforces (a `CustomerIOQueueFullError`; reported `rejected`). With a durable store, an operation
   * whose `stored` resolved survives the process being killed (`kill -9`) and is delivered after a restart or
   * by another instance. Memory store: resolves at once, and nothing survives the process. SQLite: resolves at the
   * commit of the call's turn of the event loop, right after it (`commit: 'tick'`, the default), or at once
   * (`commit: 'append'`: committed before the call returned). Redis: resolves once Redis acknowledged the
   * append's chunk (appends go in chunks of up to 1,000, one round trip each, two at most awaiting Redis at once).
   * Reading it is optional: a rejection nobody reads is not an unhandled one.
   */
  get stored(): Promise<void> {
    if (this.#stored instanceof PendingAppends) this.#stored = this.#stored.storedOf(this.id);
    else if (!(this.#stored instanceof Promise))
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
    this.#delivered ??= this.source.whenSettled(this.id, this.epoch);
    return this.#delivered;
  }
}
