import { CustomerIOError } from '../errors/customerio.errors.js';
import { LEASE_RUNNING_OUT } from '../errors/customerio.messages.js';
import type { LeaseDeadlines, QueuedOperation } from '../interfaces/queue-store.interface.js';

/** Share of a lease kept as a safety margin: a batch is given up this much of `leaseMs` before its lease may end. */
const LEASE_MARGIN = 0.1;
/** Longest delay `setTimeout` takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps one batch's requests within its lease, in a store whose leases run out (see {@link LeaseDeadlines}).
 * The batch's deadline is the end of its lease as the store knows it, minus a tenth of the lease: no request
 * starts unless its `timeout` ends before it ({@link admit}), and `signal` aborts when it comes — unless the
 * store renewed the lease meanwhile: the deadline is read again then. `signal` also aborts with `parent` (the
 * queue's shutdown). In a store without lease deadlines, `signal` is `parent` and every request is admitted.
 */
export class BatchLeaseGuard {
  /** Carried by the batch's requests: aborted with a `CustomerIOError` saying why. */
  readonly signal: AbortSignal;
  readonly #lease = new AbortController();
  readonly #operations: readonly QueuedOperation[];
  readonly #deadlines?: LeaseDeadlines;
  #timer?: NodeJS.Timeout;

  constructor(operations: readonly QueuedOperation[], parent: AbortSignal, deadlines?: LeaseDeadlines) {
    this.#operations = operations;
    this.#deadlines = deadlines;
    this.signal = deadlines ? AbortSignal.any([parent, this.#lease.signal]) : parent;
    if (deadlines) this.#watch();
  }

  /** Whether the batch was given up for its lease (not for the shutdown). */
  get lost(): boolean {
    return this.#lease.signal.aborted;
  }

  /**
   * Whether a request lasting up to `timeoutMs` may start now: the batch is not given up, and the request would
   * end before the deadline. When it would not, the batch is given up now (`signal` aborts).
   */
  admit(timeoutMs: number): boolean {
    if (this.signal.aborted) return false;
    if (performance.now() + timeoutMs <= this.#deadline()) return true;
    this.#giveUp();
    return false;
  }

  /** Stops watching the lease: the batch is settled. */
  dispose(): void {
    clearTimeout(this.#timer);
  }

  /** The deadline (`performance.now()` ms): the lease's known end, less the margin; `Infinity` without one. */
  #deadline(): number {
    const deadlines = this.#deadlines;
    return deadlines ? deadlines.validUntil(this.#operations) - deadlines.leaseMs * LEASE_MARGIN : Infinity;
  }

  /** Gives the batch up at its deadline, reading it again when it comes (a renewal may have moved it). */
  #watch(): void {
    const left = this.#deadline() - performance.now();
    if (left <= 0) return this.#giveUp();
    if (left !== Infinity) this.#timer = setTimeout(() => this.#watch(), Math.min(left, MAX_TIMER_MS));
  }

  #giveUp(): void {
    clearTimeout(this.#timer);
    // NOTE: not retryable, so that no interceptor retries it and the circuit breaker does not count it as Customer.io failing.
    this.#lease.abort(new CustomerIOError(LEASE_RUNNING_OUT(this.#deadlines?.leaseMs ?? 0), { retryable: false }));
  }
}
