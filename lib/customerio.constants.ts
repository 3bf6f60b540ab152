/**
 * The limits input is checked against at the call site: Customer.io's documented Track API limits, in UTF-8 bytes
 * unless named otherwise, and two of the module's own (`jsonDepth`, `latestTimestamp`).
 */
export const CUSTOMERIO_LIMITS = {
  personIdBytes: 150,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
  attributeNameBytes: 150,
  attributeValueBytes: 1_000,
  attributeCount: 300,
  /** One request to `/api/v2/batch` (500 KB). */
  batchRequestBytes: 500_000,
  /** One operation in a v2 batch (32 KB). */
  batchOperationBytes: 32_000,
  /** Levels of objects and arrays in event data or an attribute value (the module's own limit: Customer.io documents none). */
  jsonDepth: 100,
  /** The latest timestamp taken, in unix seconds: 9999-12-31T23:59:59Z. Milliseconds since 1978 are all above it. */
  latestTimestamp: 253_402_300_799,
} as const;

/** Track API hosts by region (the SDK appends nothing: these are origins). */
export const CUSTOMERIO_TRACK_ORIGINS = {
  us: 'https://track.customer.io',
  eu: 'https://track-eu.customer.io',
} as const;

/** App API hosts by region. */
export const CUSTOMERIO_APP_API_ORIGINS = {
  us: 'https://api.customer.io',
  eu: 'https://api-eu.customer.io',
} as const;

/** Pipelines API hosts by region (`/v1` is appended). */
export const CUSTOMERIO_PIPELINES_ORIGINS = {
  us: 'https://cdp.customer.io',
  eu: 'https://cdp-eu.customer.io',
} as const;

/** Default deadline of one HTTP request, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Defaults of the `retry` option. */
export const DEFAULT_RETRY = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  budgetMs: 30_000,
  maxRetryAfterMs: 60_000,
  circuitBreaker: { threshold: 10, halfOpenAfterMs: 5_000 },
} as const;

/** Defaults of the `queue` option. */
export const DEFAULT_QUEUE = {
  flushIntervalMs: 1_000,
  maxBatchBytes: 500_000,
  maxBatchOperations: 1_000,
  maxInFlight: 4,
  maxQueueSize: 100_000,
  maxQueueBytes: 64 * 1024 * 1024,
  overflow: 'reject',
  maxDeliveryAttempts: 10,
  shutdownTimeoutMs: 10_000,
} as const;

/** Default lease of the Redis store (`queue.redis.visibilityTimeoutMs`), in milliseconds. */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 30_000;

/** The values of `SqliteQueueStore`'s `commit` and `synchronous` options, the default first. */
export const SQLITE_OPTION_VALUES = {
  commit: ['tick', 'append'],
  synchronous: ['normal', 'full'],
} as const;

/** Name of the flush interval in `@nestjs/schedule`'s SchedulerRegistry. */
export const CUSTOMERIO_FLUSH_INTERVAL = 'customerio:flush';

/** DI token of the queue's opened store (`OpenedQueueStore`): the store, and whether the module opened it (internal). */
export const CUSTOMERIO_OPENED_QUEUE_STORE = Symbol('CUSTOMERIO_OPENED_QUEUE_STORE');

/** DI token of the validated options (internal). */
export const CUSTOMERIO_RESOLVED_OPTIONS = Symbol('CUSTOMERIO_RESOLVED_OPTIONS');

/**
 * DI token of the `CustomerIOSandbox` (from `nestjs-customerio/testing`) the module started in mode `'sandbox'`;
 * `null` in the other modes. Inject it with `@Inject(CUSTOMERIO_SANDBOX)` to read what the sandbox received.
 */
export const CUSTOMERIO_SANDBOX = Symbol('CUSTOMERIO_SANDBOX');
