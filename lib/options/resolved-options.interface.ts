import type {
  CustomerIOApi,
  CustomerIODecoratorOptions,
  CustomerIOMode,
  CustomerIOLogLevel,
  CustomerIORegion,
} from '../interfaces/customerio-module-options.interface.js';
import type { CustomerIOInterceptor } from '../interfaces/customerio-interceptor.interface.js';
import type {
  CustomerIODeliveryHooks,
  CustomerIOQueueOptions,
  CustomerIORetryOptions,
} from '../interfaces/delivery-options.interface.js';
import type { RedactedSecret, RedactedUrl } from './redacted-secret.js';

/** Retry options with every default filled in. */
export interface ResolvedRetryOptions extends Required<Omit<CustomerIORetryOptions, 'circuitBreaker'>> {
  readonly circuitBreaker: { readonly threshold: number; readonly halfOpenAfterMs: number } | false;
}

/** Queue options with every default filled in (the store's settings only with the store they belong to). */
export type ResolvedQueueOptions = Readonly<
  Required<Omit<CustomerIOQueueOptions, 'store' | 'sqlite' | 'redis'>> &
    Required<Pick<CustomerIOQueueOptions, 'store'>> &
    Pick<CustomerIOQueueOptions, 'sqlite'> & {
      /** Settings of `store: 'redis'`, its URL held so that it prints without its password. */
      redis?: Readonly<Omit<NonNullable<CustomerIOQueueOptions['redis']>, 'url'> & { url: RedactedUrl }>;
    }
>;

/** Options after validation and defaulting; what the rest of the module reads. */
export interface ResolvedCustomerIOOptions {
  readonly mode: CustomerIOMode;
  /** The API people and events go to. */
  readonly api: CustomerIOApi;
  /** Track API credentials: always with `api: 'track'`; with `'pipelines'`, only when given. */
  readonly track?: { readonly siteId: string; readonly apiKey: RedactedSecret };
  readonly pipelinesKey?: RedactedSecret;
  readonly appApiKey?: RedactedSecret;
  readonly region: CustomerIORegion;
  /** Whether the account's region is checked at start-up (mode `'live'` only). */
  readonly checkRegion: boolean;
  /** The lowest level of the module's log lines. */
  readonly logLevel: CustomerIOLogLevel;
  /** Track API origin (and path prefix, if any), without a trailing slash. */
  readonly trackUrl: string;
  /** App API origin (and path prefix, if any), without a trailing slash. */
  readonly appApiUrl: string;
  /** Pipelines API origin (and path prefix, if any), without a trailing slash. */
  readonly pipelinesUrl: string;
  readonly timeoutMs: number;
  readonly retry: ResolvedRetryOptions | false;
  readonly interceptors: readonly CustomerIOInterceptor[];
  readonly queue: ResolvedQueueOptions;
  readonly hooks: CustomerIODeliveryHooks;
  readonly decorators: Readonly<Required<CustomerIODecoratorOptions>>;
}
