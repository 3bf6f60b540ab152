import type { CustomerIOInterceptor } from './customerio-interceptor.interface.js';
import type {
  CustomerIODeliveryHooks,
  CustomerIOQueueOptions,
  CustomerIORetryOptions,
} from './delivery-options.interface.js';

/** A Customer.io data center. */
export type CustomerIORegion = 'us' | 'eu';

/**
 * Which Customer.io API people and events go to (see the README's "Track API or Pipelines API?"):
 * - `'track'`: the Track API (`siteId` and `apiKey`), batched through `/api/v2/batch`.
 * - `'pipelines'`: the Pipelines API (`pipelinesKey`), batched through `/v1/batch`: Customer.io's recommendation
 *   for new integrations. It needs customerio-node 5.2 or later. Calls with no Pipelines form go to the Track API
 *   when `siteId` and `apiKey` are also given, and throw a `CustomerIOConfigError` naming `api` when they are not.
 */
export type CustomerIOApi = 'track' | 'pipelines';

/**
 * Where the module sends:
 * - `'live'`: to Customer.io (or `trackUrl` / `appApiUrl`); `siteId` and `apiKey` are required.
 * - `'sandbox'`: to a local Customer.io sandbox (`CustomerIOSandbox` of `nestjs-customerio/testing`) the module
 *   starts in this process on 127.0.0.1 at bootstrap, logs the address of, and closes at shutdown. No
 *   credentials needed; the sandbox's replace `siteId`, `apiKey`, `appApiKey`, `pipelinesKey` and the URLs.
 * - `'disabled'`: nothing is sent and no credentials are needed. Every call is validated as in `'live'` (a bad
 *   call throws the same error); queued operations are batched and flushed as in `'live'`, in memory whatever
 *   `queue.store` says, and end with the outcome `'disabled'` (counted in `stats.disabled`, reported to
 *   `hooks.onDelivered`, their receipts resolve); direct calls resolve without sending: to `undefined`, and
 *   `{}` for the App API calls (`sendEmail`, `sendPush`, `sendSMS`, `triggerBroadcast`). No interceptor is called.
 */
export type CustomerIOMode = 'live' | 'sandbox' | 'disabled';

/**
 * Options of {@link CustomerIOModule}; validated when the application starts. `siteId` and `apiKey` are
 * required in mode `'live'` (the default), optional in the others.
 */
export type CustomerIOModuleOptions = CustomerIOLiveOptions | CustomerIOPipelinesOptions | CustomerIOLocalOptions;

/**
 * A class that makes the module's options, for `CustomerIOModule.forRootAsync({ useClass })` or `useExisting`:
 * Nest instantiates it (with its own dependencies injected) and calls `createCustomerIOOptions()` once, at start-up.
 */
export interface CustomerIOModuleOptionsFactory {
  /** The module's options; may be async (read a secret store, say). */
  createCustomerIOOptions(): CustomerIOModuleOptions | Promise<CustomerIOModuleOptions>;
}

/** Options in mode `'live'` on the Track API: its credentials are required. */
export interface CustomerIOLiveOptions extends CustomerIOCommonOptions {
  /**
   * Where the module sends; see {@link CustomerIOMode}.
   * @default 'live'
   */
  mode?: 'live';
  /**
   * The API people and events go to; see {@link CustomerIOApi}.
   * @default 'track'
   */
  api?: 'track';
  /** Track API site id (Workspace settings → API credentials). */
  siteId: string;
  /** Track API key. Never written to logs, errors or `util.inspect` output. */
  apiKey: string;
}

/**
 * Options in mode `'live'` on the Pipelines API: its key is required; the Track API's credentials are optional (the
 * calls with no Pipelines form need them).
 */
export interface CustomerIOPipelinesOptions extends CustomerIOCommonOptions {
  /**
   * Where the module sends; see {@link CustomerIOMode}.
   * @default 'live'
   */
  mode?: 'live';
  /** The API people and events go to; see {@link CustomerIOApi}. */
  api: 'pipelines';
  /** Track API site id, for the calls with no Pipelines form. @default none */
  siteId?: string;
  /** Track API key, for the calls with no Pipelines form. Never logged. @default none */
  apiKey?: string;
}

/** Options in modes `'sandbox'` and `'disabled'`: no credentials needed (those given are not used). */
export interface CustomerIOLocalOptions extends CustomerIOCommonOptions {
  /** Where the module sends; see {@link CustomerIOMode}. */
  mode: 'sandbox' | 'disabled';
  /**
   * The API people and events go to; see {@link CustomerIOApi}.
   * @default 'track'
   */
  api?: CustomerIOApi;
  /** Not used in this mode. @default none */
  siteId?: string;
  /** Not used in this mode. @default none */
  apiKey?: string;
  /** Mode `'sandbox'`: the sandbox's settings (see `CustomerIOSandboxOptions` of `nestjs-customerio/testing`). */
  sandbox?: {
    /** Port on 127.0.0.1. @default 0 (a free port) */
    port?: number;
    /** Most entries the sandbox keeps in each recorded collection; the oldest go first. @default 10000 */
    maxRecords?: number;
  };
}

/** The options of every mode. */
export interface CustomerIOCommonOptions {
  /** App API key: enables transactional messages and broadcasts. Never logged. */
  appApiKey?: string;
  /**
   * Pipelines API key (Data Pipelines → Sources → the HTTP source's API key), sent as the HTTP Basic user with an
   * empty password. Required with `api: 'pipelines'` in mode `'live'`; with `api: 'track'`, used only to send what an
   * earlier `api: 'pipelines'` left in a durable queue. Never logged.
   * @default none
   */
  pipelinesKey?: string;
  /**
   * Data center of the workspace.
   * @default 'us'
   */
  region?: CustomerIORegion;
  /**
   * In mode `'live'`, ask Customer.io at start-up which region the Track API credentials belong to
   * (`GET /api/v1/accounts/region`, one attempt within `timeout`): another region than `region` fails start-up
   * with a `CustomerIOConfigError` naming both; no answer logs a warning and start-up goes on.
   * @default true when `trackUrl` is not set (Customer.io's own hosts), false when it is (a proxy or a sandbox)
   */
  checkRegion?: boolean;
  /**
   * The lowest level of the module's own log lines (context `CustomerIO`): `'log'` writes everything, `'warn'` leaves
   * out start-up notes, `'error'` also leaves out outcome lines and per-interval summaries (`warn`), `'off'` writes
   * nothing. Stats, hooks and metrics count everything at every level.
   * @default 'log'
   */
  logLevel?: CustomerIOLogLevel;
  /**
   * Origin of the Track API, overriding `region`: a proxy, or the local sandbox
   * (`http://127.0.0.1:PORT`). `/api/v1` and `/api/v2` are appended.
   * @default the region's host, https://track.customer.io or https://track-eu.customer.io
   */
  trackUrl?: string;
  /**
   * Origin of the App API, overriding `region`. `/v1` is appended.
   * @default the region's host, https://api.customer.io or https://api-eu.customer.io
   */
  appApiUrl?: string;
  /**
   * Origin of the Pipelines API, overriding `region`: a proxy, or the local sandbox. `/v1` is appended.
   * @default the region's host, https://cdp.customer.io or https://cdp-eu.customer.io
   */
  pipelinesUrl?: string;
  /**
   * Deadline of one HTTP request in milliseconds; a request still unanswered then is
   * aborted, its socket released, and it fails with `CustomerIOTimeoutError`.
   * @default 10000
   */
  timeout?: number;
  /**
   * Retrying of every outbound request (network errors, timeouts, 408, 425, 429, 5xx; never other 4xx nor 3xx), with
   * exponential backoff, full jitter, `Retry-After`, a shared pause on 429, and a circuit breaker.
   * `false` sends each request once.
   * @default {} (the defaults of each field)
   */
  retry?: CustomerIORetryOptions | false;
  /**
   * Interceptors around every outbound request, outermost first; they run outside the retry interceptor.
   * @default []
   */
  interceptors?: CustomerIOInterceptor[];
  /** The batching queue behind `identify`, `track` and the other person operations. @default {} */
  queue?: CustomerIOQueueOptions;
  /** Callbacks for delivery outcomes. @default {} */
  hooks?: CustomerIODeliveryHooks;
  /** How `@TrackEvent` / `@Identify` find the person of a call that names none. @default {} */
  decorators?: CustomerIODecoratorOptions;
}

/** How decorators find who a call is about, from the current HTTP request. */
export interface CustomerIODecoratorOptions {
  /**
   * The person of the current request.
   * @default (request) => request.user?.id
   */
  person?: (request: any) => string | number | null | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * The anonymous id to fall back on when there is no person.
   * @default (request) => request.headers?.['x-anonymous-id']
   */
  anonymousId?: (request: any) => string | null | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The levels of {@link CustomerIOModuleOptions.logLevel}, lowest first. */
export type CustomerIOLogLevel = 'log' | 'warn' | 'error' | 'off';
