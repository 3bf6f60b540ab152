/** Options of {@link CustomerIOSandbox.start}. */
export interface CustomerIOSandboxOptions {
  /**
   * Track API site id the sandbox accepts (HTTP Basic user).
   * @default 'sandbox-site'
   */
  siteId?: string;
  /**
   * Track API key the sandbox accepts (HTTP Basic password).
   * @default 'sandbox-api-key'
   */
  apiKey?: string;
  /**
   * App API key the sandbox accepts (`Authorization: Bearer <appApiKey>`).
   * @default 'sandbox-app-api-key'
   */
  appApiKey?: string;
  /**
   * Pipelines API key the sandbox accepts (HTTP Basic user, empty password).
   * @default 'sandbox-pipelines-key'
   */
  pipelinesKey?: string;
  /**
   * Interface to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  port?: number;
  /**
   * Most entries the sandbox keeps in each recorded collection (`requests`, `events`, `batches`, `people`,
   * `deletedPeople`, `merges`, `metrics`, `transactional`, `broadcasts`, `aliases`, `droppedCalls`…) and most event
   * ids (and Pipelines `messageId`s) it remembers for deduplication; past it the oldest entry is forgotten (for
   * `people`, the person least recently created or updated). {@link SandboxCounts} keep counting every entry.
   * An integer >= 1, or `Infinity` to keep everything.
   * @default 10000
   */
  maxRecords?: number;
  /**
   * Refuse what Customer.io's published Track, App and Pipelines API specs refuse, as Customer.io answers it: person
   * operations without exactly one identifier (`id`, `email`, `phone`, `cio_id`), unknown actions and event
   * types, fields of the wrong type or outside their enums (device attributes are strings, `platform`, metric
   * names, unix-second timestamps, ULID event ids; Pipelines: ISO 8601 timestamps, semantic events' fields).
   * `false` checks only Customer.io's limits and the fields the sandbox needs to record a request. A Pipelines
   * call it refuses is answered 400 with `X-Strict-Mode: 1`, else 200 and recorded in `droppedCalls`.
   * @default true
   */
  strict?: boolean;
  /**
   * The region of the account the sandbox plays: `GET /api/v1/accounts/region` answers it (with that region's
   * Track API host as `url`), so a module configured for the other region reports the mismatch at start-up.
   * @default 'us'
   */
  region?: 'us' | 'eu';
}

/** Options pointing `CustomerIOModule.forRoot` at a sandbox (see {@link CustomerIOSandbox.moduleOptions}). */
export interface SandboxModuleOptions {
  /** The sandbox's site id. */
  siteId: string;
  /** The sandbox's Track API key. */
  apiKey: string;
  /** The sandbox's App API key. */
  appApiKey: string;
  /** The sandbox's Pipelines API key. */
  pipelinesKey: string;
  /** The sandbox's origin, serving `/api/v1` and `/api/v2`. */
  trackUrl: string;
  /** The sandbox's origin, serving `/v1`. */
  appApiUrl: string;
  /** The sandbox's origin, serving the Pipelines API under `/v1` (the module appends `/v1`). */
  pipelinesUrl: string;
}
