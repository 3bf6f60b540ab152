import {
  CUSTOMERIO_LIMITS,
  DEFAULT_QUEUE,
  DEFAULT_RETRY,
  DEFAULT_VISIBILITY_TIMEOUT_MS,
  SQLITE_OPTION_VALUES,
} from '../customerio.constants.js';
import { INVALID_OPTION, MISSING_OPTION, TIMEOUT_OUTLASTS_LEASE, optionLabel } from '../errors/customerio.messages.js';
import type { CustomerIOModuleOptions } from '../interfaces/customerio-module-options.interface.js';
import { isNonBlank, type OptionProblems } from './option-problems.js';
import { RedactedUrl } from './redacted-secret.js';
import type { ResolvedQueueOptions, ResolvedRetryOptions } from './resolved-options.interface.js';

// The options of delivery: `retry` and `queue`, checked into `problems` and filled in with their defaults.

/** The `retry` option resolved, or `false` (no retries, no circuit breaker). */
export function resolveRetryOptions(
  problems: OptionProblems,
  option: CustomerIOModuleOptions['retry'],
): ResolvedRetryOptions | false {
  if (option === false) return false;
  const retry = problems.object('retry', option);
  const breaker =
    retry.circuitBreaker === false ? false : problems.object('retry.circuitBreaker', retry.circuitBreaker);
  const integer = (name: keyof typeof DEFAULT_RETRY & keyof typeof retry, min: number): number =>
    problems.integer(`retry.${name}`, retry[name], DEFAULT_RETRY[name] as number, min);
  return Object.freeze({
    maxAttempts: integer('maxAttempts', 1),
    baseDelayMs: integer('baseDelayMs', 1),
    maxDelayMs: integer('maxDelayMs', 1),
    budgetMs: integer('budgetMs', 1),
    maxRetryAfterMs: integer('maxRetryAfterMs', 0),
    circuitBreaker:
      breaker &&
      Object.freeze({
        threshold: problems.integer(
          'retry.circuitBreaker.threshold',
          breaker.threshold,
          DEFAULT_RETRY.circuitBreaker.threshold,
          1,
        ),
        halfOpenAfterMs: problems.integer(
          'retry.circuitBreaker.halfOpenAfterMs',
          breaker.halfOpenAfterMs,
          DEFAULT_RETRY.circuitBreaker.halfOpenAfterMs,
          1,
        ),
      }),
  });
}

const STORE_METHODS = ['append', 'lease', 'acknowledge', 'release', 'dropOldest', 'has'] as const;

/** The `queue` option resolved; `timeoutMs` (the module's `timeout`) must fit three times in a lease. */
export function resolveQueueOptions(
  problems: OptionProblems,
  option: CustomerIOModuleOptions['queue'],
  timeoutMs: number,
): ResolvedQueueOptions {
  const queue = problems.object('queue', option);
  const overflow = queue.overflow ?? DEFAULT_QUEUE.overflow;
  if (overflow !== 'reject' && overflow !== 'drop-oldest') {
    problems.fail('queue.overflow', overflow, (label, got) => INVALID_OPTION(label, '"reject" or "drop-oldest"', got));
  }
  const store = queue.store ?? 'memory';
  if (
    typeof store === 'string'
      ? !['memory', 'sqlite', 'redis'].includes(store)
      : STORE_METHODS.some((m) => typeof store?.[m] !== 'function')
  ) {
    const expected = `"memory", "sqlite", "redis" or a CustomerIOQueueStore (${STORE_METHODS.join(', ')})`;
    problems.fail('queue.store', store, (label, got) => INVALID_OPTION(label, expected, got));
  }
  if (store === 'sqlite' && !isNonBlank(queue.sqlite?.path))
    problems.fail('queue.sqlite.path', queue.sqlite?.path, MISSING_OPTION);
  if (store === 'sqlite') {
    for (const option of ['synchronous', 'commit'] as const) {
      const value = queue.sqlite?.[option];
      const values: readonly string[] = SQLITE_OPTION_VALUES[option];
      if (value === undefined || values.includes(value)) continue;
      const expected = values.map((v) => `"${v}"`).join(' or ');
      problems.fail(`queue.sqlite.${option}`, value, (label, got) => INVALID_OPTION(label, expected, got));
    }
  }
  if (store === 'redis' && !isNonBlank(queue.redis?.url))
    problems.fail('queue.redis.url', queue.redis?.url, MISSING_OPTION);
  // NOTE: a lease that is not a positive number is refused by its store, naming it.
  const [leaseOption, leaseMs] =
    store === 'redis'
      ? ['queue.redis.visibilityTimeoutMs', queue.redis?.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS]
      : ['queue.store', typeof store === 'object' ? store.leaseDeadlines?.leaseMs : undefined];
  if (typeof leaseMs === 'number' && leaseMs > 0 && timeoutMs * 3 > leaseMs) {
    const leaseLabel =
      store === 'redis' ? problems.label(leaseOption) : `${optionLabel(leaseOption)}'s lease (visibilityTimeoutMs)`;
    problems.fail('timeout', timeoutMs, (label) => TIMEOUT_OUTLASTS_LEASE(label, timeoutMs, leaseLabel, leaseMs));
  }
  const integer = (name: keyof typeof DEFAULT_QUEUE & keyof typeof queue, min: number, max?: number): number =>
    problems.integer(`queue.${name}`, queue[name], DEFAULT_QUEUE[name] as number, min, max);
  return Object.freeze({
    store,
    sqlite: queue.sqlite,
    redis: store === 'redis' ? Object.freeze({ ...queue.redis!, url: new RedactedUrl(queue.redis!.url) }) : undefined,
    flushIntervalMs: integer('flushIntervalMs', 1),
    maxBatchBytes: integer('maxBatchBytes', 1_024, CUSTOMERIO_LIMITS.batchRequestBytes),
    maxBatchOperations: integer('maxBatchOperations', 1),
    maxInFlight: integer('maxInFlight', 1, 64),
    maxQueueSize: integer('maxQueueSize', 1),
    maxQueueBytes: integer('maxQueueBytes', 1_024),
    overflow,
    maxDeliveryAttempts: integer('maxDeliveryAttempts', 1),
    shutdownTimeoutMs: integer('shutdownTimeoutMs', 0),
  });
}
