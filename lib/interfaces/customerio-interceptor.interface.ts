import type { CustomerIOError } from '../errors/customerio.errors.js';

/** An outgoing request to Customer.io (direct or a batch), as an interceptor sees it. */
export interface CustomerIOOutboundRequest {
  /** `direct` for an awaited call, `batch` for a queue flush. */
  readonly kind: 'direct' | 'batch';
  /** The call: `identify`, `track`, …, or `batch`. */
  readonly operation: string;
  /** Operations the request carries (1 for a direct call). */
  readonly size: number;
  /**
   * Aborted when the request is no longer wanted — the queue's shutdown deadline passed, or the lease of the batch
   * in a shared store runs out before another attempt could end — with a `CustomerIOError` as its `reason`: stop
   * waiting and retrying.
   */
  readonly signal?: AbortSignal;
  /** Told of every retry the interceptors make, with the error that caused it and the wait before it. */
  onRetry?(error: CustomerIOError, delayMs: number): void;
}

/**
 * Wraps every outbound request to Customer.io, direct or batched: call `next()` to send it
 * (as many times as you like), or throw a `CustomerIOError` to fail it. Interceptors in the `interceptors`
 * option run outside the retry interceptor, so they see each call once, with its final outcome.
 *
 * What an interceptor throws, or rejects with, decides the request's outcome only when it is a
 * `CustomerIOError` (yours, or the one `next()` rejected with) or the very error `next()` rejected with.
 * Anything else is a failure of the interceptor itself, and never changes the outcome: it is counted in
 * `stats.interceptorErrors` and summed into one log line a flush interval, and
 * - if the interceptor had called `next()`, the last `next()`'s answer stands (its result, or its error);
 * - if it had not, the request goes through the rest of the chain as if that interceptor were absent.
 * A `next()` promise the interceptor drops never becomes an unhandled rejection.
 */
export interface CustomerIOInterceptor {
  intercept<T>(context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T>;
}
