import type { CustomerIOInterceptor } from '../delivery/customerio-interceptor.interface.js';
import type {
  CustomerIODeliveryHooks,
  CustomerIOQueueOptions,
  CustomerIORetryOptions,
} from '../delivery/delivery-options.interface.js';

/** A Customer.io data center. */
export type CustomerIORegion = 'us' | 'eu';

/** Options of {@link CustomerIOModule}; validated when the application starts. */
export interface CustomerIOModuleOptions {
  /** Track API site id (Workspace settings → API credentials). */
  siteId: string;
  /** Track API key. Never written to logs, errors or `util.inspect` output. */
  apiKey: string;
  /** App API key: enables transactional messages and broadcasts. Never logged. */
  appApiKey?: string;
  /**
   * Data center of the workspace.
   * @default 'us'
   */
  region?: CustomerIORegion;
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
