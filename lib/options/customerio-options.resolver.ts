import {
  CUSTOMERIO_APP_API_ORIGINS,
  CUSTOMERIO_LIMITS,
  CUSTOMERIO_PIPELINES_ORIGINS,
  CUSTOMERIO_TRACK_ORIGINS,
  DEFAULT_QUEUE,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_VISIBILITY_TIMEOUT_MS,
} from '../customerio.constants.js';
import {
  INVALID_NUMBER,
  CHECK_REGION_NEEDS_TRACK,
  INVALID_OPTION,
  INVALID_OPTIONS,
  INVALID_REGION,
  INVALID_TIMEOUT,
  INVALID_URL,
  MISSING_OPTION,
  optionLabel,
  TIMEOUT_OUTLASTS_LEASE,
} from '../errors/customerio.messages.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';
import type {
  CustomerIOApi,
  CustomerIOMode,
  CustomerIOModuleOptions,
  CustomerIOLogLevel,
  CustomerIORegion,
} from '../interfaces/customerio-module-options.interface.js';
import { RedactedSecret, RedactedUrl } from './redacted-secret.js';
import type {
  ResolvedCustomerIOOptions,
  ResolvedQueueOptions,
  ResolvedRetryOptions,
} from './resolved-options.interface.js';

/**
 * Where each option was read from (a config variable name), so that errors can point at it.
 * Set by {@link customerIOOptionsFromConfig}; kept under a symbol so it survives object spread.
 */
export const CUSTOMERIO_OPTION_SOURCES = Symbol.for('nestjs-customerio.option-sources');

type OptionsWithSources = CustomerIOModuleOptions & {
  [CUSTOMERIO_OPTION_SOURCES]?: Partial<Record<string, string>>;
};

/** The modes of {@link CustomerIOModuleOptions.mode}. */
const MODES: readonly CustomerIOMode[] = ['live', 'sandbox', 'disabled'];
const APIS: readonly CustomerIOApi[] = ['track', 'pipelines'];
const LOG_LEVELS: readonly CustomerIOLogLevel[] = ['log', 'warn', 'error', 'off'];

/** What a mode that sends nowhere real uses for credentials it was not given (never sent anywhere). */
const UNUSED_CREDENTIAL = 'unused';

/**
 * Validates the module options and fills in defaults; throws one {@link CustomerIOConfigError} naming every
 * bad option (and the config variable it came from, when known).
 */
export function resolveCustomerIOOptions(options: CustomerIOModuleOptions): ResolvedCustomerIOOptions {
  const sources = (options as OptionsWithSources | undefined)?.[CUSTOMERIO_OPTION_SOURCES] ?? {};
  const problems: { option: string; message: string }[] = [];
  /** Records a bad option; the value returned only stands in until the error is thrown. */
  const fail = (option: string, got: unknown, message: (label: string, got: unknown) => string): never => {
    problems.push({ option, message: message(optionLabel(option, sources[option]), got) });
    return undefined as never;
  };
  const mode = options?.mode ?? 'live';
  if (!MODES.includes(mode))
    fail('mode', mode, (label, got) => INVALID_OPTION(label, '"live", "sandbox" or "disabled"', got));
  const api = options?.api ?? 'track';
  if (!APIS.includes(api)) fail('api', api, (label, got) => INVALID_OPTION(label, '"track" or "pipelines"', got));
  /**
   * A credential: required in mode `'live'` when `api` needs it, else optional (checked when given); the other modes
   * run without them.
   */
  const credential = (option: 'siteId' | 'apiKey' | 'pipelinesKey', needed: boolean): string | undefined => {
    const value = options?.[option];
    if (mode !== 'live' && !isNonBlank(value)) return UNUSED_CREDENTIAL;
    if (value === undefined && !needed) return undefined;
    return isNonBlank(value) ? value : fail(option, value, MISSING_OPTION);
  };
  /** An integer option within [min, max], or its default. */
  const integer = (
    option: string,
    value: unknown,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ): number => {
    const number = value ?? fallback;
    if (typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max) return number;
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    return fail(option, value, (label, got) => INVALID_NUMBER(label, got, range));
  };
  const object = <T extends object>(option: string, value: T | undefined): Partial<T> => {
    if (value === undefined) return {};
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? value
      : (fail(option, value, (label, got) => INVALID_OPTION(label, 'an object', got)), {});
  };

  const siteId = credential('siteId', api === 'track');
  const apiKey = credential('apiKey', api === 'track');
  // NOTE: one of the pair alone is a mistake: it would silently turn the Track API off.
  if (api === 'pipelines' && (siteId === undefined) !== (apiKey === undefined)) {
    fail(siteId === undefined ? 'siteId' : 'apiKey', undefined, MISSING_OPTION);
  }
  const track = siteId && apiKey ? Object.freeze({ siteId, apiKey: new RedactedSecret(apiKey) }) : undefined;
  const pipelinesKeyValue = credential('pipelinesKey', api === 'pipelines');
  const pipelinesKey = pipelinesKeyValue === undefined ? undefined : new RedactedSecret(pipelinesKeyValue);
  let appApiKey = mode === 'disabled' ? new RedactedSecret(UNUSED_CREDENTIAL) : undefined;
  if (options.appApiKey !== undefined) {
    appApiKey = isNonBlank(options.appApiKey)
      ? new RedactedSecret(options.appApiKey)
      : fail('appApiKey', options.appApiKey, MISSING_OPTION);
  }
  const region: CustomerIORegion = options.region ?? 'us';
  if (region !== 'us' && region !== 'eu') fail('region', region, INVALID_REGION);
  // NOTE: the region is asked of the Track API, with its credentials.
  const checkRegion = options.checkRegion ?? (options.trackUrl === undefined && track !== undefined);
  if (typeof checkRegion !== 'boolean')
    fail('checkRegion', checkRegion, (label, got) => INVALID_OPTION(label, 'true or false', got));
  if (checkRegion && !track) fail('checkRegion', checkRegion, CHECK_REGION_NEEDS_TRACK);
  const logLevel = options.logLevel ?? 'log';
  if (!LOG_LEVELS.includes(logLevel))
    fail('logLevel', logLevel, (label, got) => INVALID_OPTION(label, '"log", "warn", "error" or "off"', got));
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    fail('timeout', timeoutMs, INVALID_TIMEOUT);
  }
  const url = (option: 'trackUrl' | 'appApiUrl' | 'pipelinesUrl', fallback: string): string => {
    const value = options[option];
    if (value === undefined) return fallback;
    return normalizeBaseUrl(value) ?? fail(option, value, INVALID_URL);
  };

  const resolveRetry = (): ResolvedRetryOptions | false => {
    if (options.retry === false) return false;
    const retry = object('retry', options.retry);
    const breaker = retry.circuitBreaker === false ? false : object('retry.circuitBreaker', retry.circuitBreaker);
    return Object.freeze({
      maxAttempts: integer('retry.maxAttempts', retry.maxAttempts, DEFAULT_RETRY.maxAttempts, 1),
      baseDelayMs: integer('retry.baseDelayMs', retry.baseDelayMs, DEFAULT_RETRY.baseDelayMs, 1),
      maxDelayMs: integer('retry.maxDelayMs', retry.maxDelayMs, DEFAULT_RETRY.maxDelayMs, 1),
      budgetMs: integer('retry.budgetMs', retry.budgetMs, DEFAULT_RETRY.budgetMs, 1),
      maxRetryAfterMs: integer('retry.maxRetryAfterMs', retry.maxRetryAfterMs, DEFAULT_RETRY.maxRetryAfterMs, 0),
      circuitBreaker:
        breaker &&
        Object.freeze({
          threshold: integer(
            'retry.circuitBreaker.threshold',
            breaker.threshold,
            DEFAULT_RETRY.circuitBreaker.threshold,
            1,
          ),
          halfOpenAfterMs: integer(
            'retry.circuitBreaker.halfOpenAfterMs',
            breaker.halfOpenAfterMs,
            DEFAULT_RETRY.circuitBreaker.halfOpenAfterMs,
            1,
          ),
        }),
    });
  };

  const resolveQueue = (): ResolvedQueueOptions => {
    const queue = object('queue', options.queue);
    const overflow = queue.overflow ?? DEFAULT_QUEUE.overflow;
    if (overflow !== 'reject' && overflow !== 'drop-oldest') {
      fail('queue.overflow', overflow, (label, got) => INVALID_OPTION(label, '"reject" or "drop-oldest"', got));
    }
    const store = queue.store ?? 'memory';
    const storeMethods = ['append', 'lease', 'acknowledge', 'release', 'dropOldest', 'has'] as const;
    if (
      typeof store === 'string'
        ? !['memory', 'sqlite', 'redis'].includes(store)
        : storeMethods.some((m) => typeof store?.[m] !== 'function')
    ) {
      const expected = `"memory", "sqlite", "redis" or a CustomerIOQueueStore (${storeMethods.join(', ')})`;
      fail('queue.store', store, (label, got) => INVALID_OPTION(label, expected, got));
    }
    if (store === 'sqlite' && !isNonBlank(queue.sqlite?.path))
      fail('queue.sqlite.path', queue.sqlite?.path, MISSING_OPTION);
    if (store === 'sqlite') {
      const { synchronous = 'normal', commit = 'tick' } = queue.sqlite ?? {};
      if (synchronous !== 'normal' && synchronous !== 'full')
        fail('queue.sqlite.synchronous', synchronous, (label, got) => INVALID_OPTION(label, '"normal" or "full"', got));
      if (commit !== 'tick' && commit !== 'append')
        fail('queue.sqlite.commit', commit, (label, got) => INVALID_OPTION(label, '"tick" or "append"', got));
    }
    if (store === 'redis' && !isNonBlank(queue.redis?.url)) fail('queue.redis.url', queue.redis?.url, MISSING_OPTION);
    // NOTE: a lease that is not a positive number is refused by its store, naming it.
    const [leaseOption, leaseMs] =
      store === 'redis'
        ? ['queue.redis.visibilityTimeoutMs', queue.redis?.visibilityTimeoutMs ?? DEFAULT_VISIBILITY_TIMEOUT_MS]
        : ['queue.store', typeof store === 'object' ? store.leaseDeadlines?.leaseMs : undefined];
    if (typeof leaseMs === 'number' && leaseMs > 0 && timeoutMs * 3 > leaseMs) {
      const leaseLabel =
        store === 'redis'
          ? optionLabel(leaseOption, sources[leaseOption])
          : `${optionLabel(leaseOption)}'s lease (visibilityTimeoutMs)`;
      fail('timeout', timeoutMs, (label) => TIMEOUT_OUTLASTS_LEASE(label, timeoutMs, leaseLabel, leaseMs));
    }
    return Object.freeze({
      store,
      sqlite: queue.sqlite,
      redis: store === 'redis' ? Object.freeze({ ...queue.redis!, url: new RedactedUrl(queue.redis!.url) }) : undefined,
      flushIntervalMs: integer('queue.flushIntervalMs', queue.flushIntervalMs, DEFAULT_QUEUE.flushIntervalMs, 1),
      maxBatchBytes: integer(
        'queue.maxBatchBytes',
        queue.maxBatchBytes,
        DEFAULT_QUEUE.maxBatchBytes,
        1_024,
        CUSTOMERIO_LIMITS.batchRequestBytes,
      ),
      maxBatchOperations: integer(
        'queue.maxBatchOperations',
        queue.maxBatchOperations,
        DEFAULT_QUEUE.maxBatchOperations,
        1,
      ),
      maxInFlight: integer('queue.maxInFlight', queue.maxInFlight, DEFAULT_QUEUE.maxInFlight, 1, 64),
      maxQueueSize: integer('queue.maxQueueSize', queue.maxQueueSize, DEFAULT_QUEUE.maxQueueSize, 1),
      maxQueueBytes: integer('queue.maxQueueBytes', queue.maxQueueBytes, DEFAULT_QUEUE.maxQueueBytes, 1_024),
      overflow,
      maxDeliveryAttempts: integer(
        'queue.maxDeliveryAttempts',
        queue.maxDeliveryAttempts,
        DEFAULT_QUEUE.maxDeliveryAttempts,
        1,
      ),
      shutdownTimeoutMs: integer(
        'queue.shutdownTimeoutMs',
        queue.shutdownTimeoutMs,
        DEFAULT_QUEUE.shutdownTimeoutMs,
        0,
      ),
    });
  };

  const decorators = object('decorators', options.decorators);
  for (const option of ['person', 'anonymousId'] as const) {
    if (decorators[option] !== undefined && typeof decorators[option] !== 'function') {
      fail(`decorators.${option}`, decorators[option], (label, got) =>
        INVALID_OPTION(label, 'a function of the request', got),
      );
    }
  }

  const interceptors = options.interceptors ?? [];
  if (!Array.isArray(interceptors) || interceptors.some((i) => typeof i?.intercept !== 'function')) {
    fail('interceptors', interceptors, (label, got) =>
      INVALID_OPTION(label, 'an array of objects with intercept()', got),
    );
  }
  const trackUrl = url('trackUrl', CUSTOMERIO_TRACK_ORIGINS[region]);
  const appApiUrl = url('appApiUrl', CUSTOMERIO_APP_API_ORIGINS[region]);
  const pipelinesUrl = url('pipelinesUrl', CUSTOMERIO_PIPELINES_ORIGINS[region]);
  const retry = resolveRetry();
  const queue = resolveQueue();
  const hooks = object('hooks', options.hooks);

  if (problems.length > 0) {
    const message = problems.length === 1 ? problems[0].message : INVALID_OPTIONS(problems.map((p) => p.message));
    throw new CustomerIOConfigError(
      problems[0].option,
      message,
      problems.map((p) => p.option),
    );
  }
  return Object.freeze({
    mode,
    api,
    track,
    pipelinesKey,
    appApiKey,
    region,
    checkRegion,
    logLevel,
    trackUrl,
    appApiUrl,
    pipelinesUrl,
    timeoutMs,
    retry,
    interceptors: Object.freeze([...interceptors]),
    // NOTE: a disabled module must not take operations out of a store it shares with instances that send.
    queue: mode === 'disabled' ? Object.freeze({ ...queue, store: 'memory' as const }) : queue,
    hooks: Object.freeze({ ...hooks }),
    decorators: Object.freeze({
      person: decorators.person ?? ((request: { user?: { id?: string | number } }) => request?.user?.id),
      anonymousId:
        decorators.anonymousId ??
        ((request: { headers?: Record<string, unknown> }) =>
          request?.headers?.['x-anonymous-id'] as string | undefined),
    }),
  });
}

function isNonBlank(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** An http(s) base URL without credentials, query or fragment, with no trailing slash; undefined if malformed. */
function normalizeBaseUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  const usable =
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    !url.search &&
    !url.hash;
  return usable ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : undefined;
}
