import {
  CUSTOMERIO_APP_API_ORIGINS,
  CUSTOMERIO_PIPELINES_ORIGINS,
  CUSTOMERIO_TRACK_ORIGINS,
  DEFAULT_TIMEOUT_MS,
} from '../customerio.constants.js';
import {
  CHECK_REGION_NEEDS_TRACK,
  INVALID_OPTION,
  INVALID_REGION,
  INVALID_TIMEOUT,
  INVALID_URL,
  MISSING_OPTION,
} from '../errors/customerio.messages.js';
import type {
  CustomerIOApi,
  CustomerIOMode,
  CustomerIOModuleOptions,
  CustomerIOLogLevel,
  CustomerIORegion,
} from '../interfaces/customerio-module-options.interface.js';
import { resolveQueueOptions, resolveRetryOptions } from './delivery-options.resolver.js';
import { isNonBlank, OptionProblems } from './option-problems.js';
import { RedactedSecret } from './redacted-secret.js';
import type { ResolvedCustomerIOOptions } from './resolved-options.interface.js';

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
  const problems = new OptionProblems((options as OptionsWithSources | undefined)?.[CUSTOMERIO_OPTION_SOURCES] ?? {});
  const fail = problems.fail.bind(problems);
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

  const decorators = problems.object('decorators', options.decorators);
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
  const retry = resolveRetryOptions(problems, options.retry);
  const queue = resolveQueueOptions(problems, options.queue, timeoutMs);
  const hooks = problems.object('hooks', options.hooks);

  problems.throwIfAny();
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
