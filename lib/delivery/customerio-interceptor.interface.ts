import type { CustomerIOError } from '../client/customerio.errors.js';

/** What an outbound request is, as interceptors see it. */
export interface CustomerIORequestContext {
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
 * (as many times as you like), or throw to fail it. Interceptors in the `interceptors` option run
 * outside the retry interceptor, so they see each call once, with its final outcome.
 */
export interface CustomerIOInterceptor {
  intercept<T>(context: CustomerIORequestContext, next: () => Promise<T>): Promise<T>;
}
