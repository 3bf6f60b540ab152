import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBackoff,
} from 'cockatiel';
import { abortedError, CustomerIOCircuitOpenError, CustomerIOError } from '../errors/customerio.errors.js';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions, ResolvedRetryOptions } from '../options/resolved-options.interface.js';
import type {
  CustomerIOInterceptor,
  CustomerIOOutboundRequest,
} from '../interfaces/customerio-interceptor.interface.js';

/** Waits `ms`, or less if `signal` aborts first; leaves no timer behind either way. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
const isRetryable = (error: unknown): boolean => error instanceof CustomerIOError && error.retryable;

/**
 * Retries what can succeed later — network errors, timeouts, 408, 425, 429 and 5xx, never other 4xx nor 3xx — with
 * exponential backoff and full jitter (cockatiel), within a total time budget. A `Retry-After` is honoured
 * (capped); a 429 pauses every request through this interceptor until it has passed, rather than each
 * hammering on its own. After `circuitBreaker.threshold` consecutive failed attempts a circuit breaker
 * fails requests at once with {@link CustomerIOCircuitOpenError}, lets one probe through after
 * `halfOpenAfterMs`, and closes when it succeeds.
 *
 * Provided by `CustomerIOModule` and configured by its `retry` option; replace it with `retry: false`
 * and an interceptor of your own in `interceptors`.
 */
@Injectable()
export class CustomerIORetryInterceptor implements CustomerIOInterceptor {
  readonly #options?: ResolvedRetryOptions;
  readonly #backoff?: ExponentialBackoff<number>;
  readonly #breaker?: CircuitBreakerPolicy;
  /** Until when (epoch ms) a 429 asked everyone to wait. */
  #pausedUntil = 0;

  constructor(@Inject(CUSTOMERIO_RESOLVED_OPTIONS) { retry }: ResolvedCustomerIOOptions) {
    if (!retry) return;
    this.#options = retry;
    this.#backoff = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: retry.baseDelayMs,
      maxDelay: retry.maxDelayMs,
    });
    if (retry.circuitBreaker) {
      this.#breaker = circuitBreaker(handleWhen(isRetryable), {
        halfOpenAfter: retry.circuitBreaker.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(retry.circuitBreaker.threshold),
      });
    }
  }

  /** Whether the circuit breaker is holding requests back (open, or half-open with its probe out). */
  get circuitOpen(): boolean {
    return this.#breaker !== undefined && this.#breaker.state !== CircuitState.Closed;
  }

  async intercept<T>(context: CustomerIOOutboundRequest, next: () => Promise<T>): Promise<T> {
    const options = this.#options;
    if (!options || !this.#backoff) return next();
    const started = Date.now();
    let backoff: IBackoff<unknown> | undefined;
    let lastError: CustomerIOError | undefined;
    for (let attempt = 1; ; attempt++) {
      const pause = this.#pausedUntil - Date.now();
      if (pause > 0) await sleep(pause, context.signal);
      if (context.signal?.aborted) throw lastError ?? abortedError(context.signal);
      let error: unknown;
      try {
        return await (this.#breaker ? this.#breaker.execute(() => next()) : next());
      } catch (thrown) {
        error = thrown instanceof BrokenCircuitError ? new CustomerIOCircuitOpenError() : thrown;
      }
      if (!(error instanceof CustomerIOError) || error instanceof CustomerIOCircuitOpenError) throw error;
      lastError = error;
      backoff = (backoff ?? this.#backoff).next(undefined);
      const delay =
        error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, options.maxRetryAfterMs) : backoff.duration;
      if (error.status === 429) this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + delay);
      const outOfTime = Date.now() - started + delay > options.budgetMs || context.signal?.aborted;
      if (!error.retryable || attempt >= options.maxAttempts || outOfTime) throw error;
      context.onRetry?.(error, delay);
      await sleep(delay, context.signal);
    }
  }
}
