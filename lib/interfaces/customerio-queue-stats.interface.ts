/** Counters of the queue since the application started. */
export interface CustomerIOQueueStats {
  /** Operations accepted into the queue. */
  enqueued: number;
  /** Operations Customer.io accepted. */
  delivered: number;
  /** Operations that would have been sent, in mode `'disabled'` (which sends nothing). */
  disabled: number;
  /** Operations Customer.io refused as invalid (a 207 item, or isolated from a 400). */
  invalid: number;
  /** Operations that failed for good: a non-retryable error, or `maxDeliveryAttempts` used up. */
  failed: number;
  /**
   * New operations refused because the queue was full or closed: at the call, which throws (not counted
   * `enqueued`), or, by a store that enforces the bound itself (Redis), after the call returned (counted
   * `enqueued` too; its receipt rejects).
   */
  rejected: number;
  /**
   * Queued operations dropped to make room (`overflow: 'drop-oldest'`). With a shared store, the instance
   * whose operation made room counts the drop, whichever instance enqueued the dropped one.
   */
  dropped: number;
  /** Operations still held when shutdown's deadline passed. */
  undelivered: number;
  /** Operations sent again: each retry of a batch counts its operations. */
  retried: number;
  /**
   * Calls of a delivery hook (`onDelivered`, `onFailed`, `onDropped`) that threw or returned a promise that
   * rejected. Ignored: the outcome the hook was told of stands, and delivery goes on.
   */
  hookErrors: number;
  /**
   * Calls of an interceptor of the `interceptors` option that threw or rejected with anything but a
   * `CustomerIOError` (see `CustomerIOInterceptor`). Ignored: the request went on as if that interceptor
   * were absent, or, if it had called `next()`, with what `next()` answered.
   */
  interceptorErrors: number;
  /**
   * Calls of a method decorated with `@TrackEvent` / `@Identify` that were not tracked: a mapper (`person`,
   * `data`, `attributes`) or a `decorators` option (`person`, `anonymousId`) threw, rejected or returned a
   * Promise; the call had no person; its input was invalid; or the queue refused it. The call itself is never
   * changed. Equals `CustomerIODecoratorTracker.errors`.
   */
  decoratorErrors: number;
  /** Operations in batches in flight. */
  inFlight: number;
  /** Batch requests in flight. */
  inFlightBatches: number;
  /** Operations held (queued and in flight). */
  queued: number;
  /** Bytes held (serialized operations, queued and in flight). */
  queuedBytes: number;
  /** The last error a batch met, if any. */
  lastError?: string;
}
