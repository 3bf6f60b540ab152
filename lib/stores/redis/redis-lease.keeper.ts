import { Logger } from '@nestjs/common';
import { LEASE_RENEWAL_FAILED } from '../../errors/customerio.messages.js';
import type { QueuedOperation } from '../../interfaces/queue-store.interface.js';

/** An operation handed out by a lease of the Redis queue store, with the lease's token for the way back. */
export interface RedisLeasedOperation extends QueuedOperation {
  readonly lease: string;
}

/**
 * The leases a Redis queue store holds: which operations each still holds, renewed every third of `leaseMs`
 * while any is held, and until when each surely holds (see `RedisQueueStore.leaseDeadlines`).
 */
export class RedisLeaseKeeper {
  readonly #logger = new Logger('CustomerIO');
  readonly #leaseMs: number;
  readonly #renew: (args: (string | number)[]) => Promise<void>;
  readonly #timer: NodeJS.Timeout;
  /** Live leases: token to the ids each still holds. */
  readonly #held = new Map<string, Set<string>>();
  /**
   * Until when each live lease surely holds (`performance.now()` ms): from before the lease, or the last renewal
   * answered while the lease surely held, was sent, plus `leaseMs`.
   */
  readonly #validUntil = new Map<string, number>();
  #closed = false;

  /**
   * @param leaseMs how long a lease lives in Redis unless renewed (the store's `visibilityTimeoutMs`)
   * @param renew runs the RENEW script with these arguments: `leaseMs`, then the tokens of the leases held
   */
  constructor(leaseMs: number, renew: (args: (string | number)[]) => Promise<void>) {
    this.#leaseMs = leaseMs;
    this.#renew = renew;
    this.#timer = setInterval(() => void this.#renewAll(), Math.max(10, Math.floor(leaseMs / 3))).unref();
  }

  /** Keeps a lease Redis granted: `sent` is when its command was sent (`performance.now()`). */
  hold(token: string, operations: readonly QueuedOperation[], sent: number): void {
    if (operations.length === 0) return;
    this.#held.set(token, new Set(operations.map(({ id }) => id)));
    this.#validUntil.set(token, sent + this.#leaseMs);
  }

  /** Lets go of leased operations (acknowledged or released); a lease holding none any more is forgotten. */
  forget(operations: readonly QueuedOperation[]): void {
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

  /**
   * The earliest known end among the leases still holding `operations`: `Infinity` when none does any more,
   * `-Infinity` once closed.
   */
  validUntil(operations: readonly QueuedOperation[]): number {
    if (this.#closed) return -Infinity;
    let end = Infinity;
    for (const operation of operations) {
      const { lease } = operation as RedisLeasedOperation;
      if (this.#held.get(lease)?.has(operation.id)) end = Math.min(end, this.#validUntil.get(lease) ?? -Infinity);
    }
    return end;
  }

  /** Stops renewing and forgets every lease (they run out in Redis). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#held.clear();
    this.#validUntil.clear();
  }

  async #renewAll(): Promise<void> {
    if (this.#held.size === 0) return;
    const tokens = [...this.#held.keys()];
    const sent = performance.now();
    try {
      await this.#renew([this.#leaseMs, ...tokens]);
      const answered = performance.now();
      for (const token of tokens) {
        const end = this.#validUntil.get(token);
        if (end !== undefined && answered < end) this.#validUntil.set(token, Math.max(end, sent + this.#leaseMs));
      }
    } catch (error) {
      this.#logger.warn(LEASE_RENEWAL_FAILED(error), { event: 'customerio.lease.renewal-failed' });
    }
  }
}
