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
   * Most entries the sandbox keeps in each recorded collection (`requests`, `events`, `batches`,
   * `people`, `deletedPeople`, `merges`, `metrics`, `transactional`, `broadcasts`) and most event ids
   * it remembers for deduplication; past it the oldest entry is forgotten (for `people`, the person
   * least recently created or updated). {@link SandboxCounts} keep counting every entry.
   * An integer >= 1, or `Infinity` to keep everything.
   * @default 10000
   */
  maxRecords?: number;
  /**
   * Refuse what Customer.io's published Track and App API specs refuse, as Customer.io answers it: person
   * operations without exactly one identifier (`id`, `email`, `phone`, `cio_id`), unknown actions and event
   * types, fields of the wrong type or outside their enums (device attributes are strings, `platform`, metric
   * names, unix-second timestamps, ULID event ids). `false` checks only Customer.io's limits and the
   * fields the sandbox needs to record a request.
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

/**
 * How many entries each recorded collection received since start or the last `reset()`, forgotten
 * ones included: equal to the collection's length until it reaches `maxRecords`.
 */
export interface SandboxCounts {
  /** Requests received. */
  requests: number;
  /** Events, page views and screens accepted (duplicates excluded). */
  events: number;
  /** `POST /api/v2/batch` requests that got past faults and authentication. */
  batches: number;
  /** People created (a person deleted, merged away or forgotten and then written again counts again). */
  people: number;
  /** People deleted. */
  deletedPeople: number;
  /** Merges accepted. */
  merges: number;
  /** Push metrics accepted. */
  metrics: number;
  /** Transactional messages accepted. */
  transactional: number;
  /** Broadcast triggers accepted. */
  broadcasts: number;
  /** Objects created (an object deleted or forgotten and then written again counts again). */
  objects: number;
  /** Unsubscribe requests accepted. */
  unsubscribes: number;
  /** Form submissions accepted. */
  forms: number;
}

/** Options pointing `CustomerIOModule.forRoot` at a sandbox (see {@link CustomerIOSandbox.moduleOptions}). */
export interface SandboxModuleOptions {
  /** The sandbox's site id. */
  siteId: string;
  /** The sandbox's Track API key. */
  apiKey: string;
  /** The sandbox's App API key. */
  appApiKey: string;
  /** The sandbox's origin, serving `/api/v1` and `/api/v2`. */
  trackUrl: string;
  /** The sandbox's origin, serving `/v1`. */
  appApiUrl: string;
}

/** Which requests a scripted fault applies to; an empty match applies to every request. */
export interface FaultMatch {
  /**
   * URL pathname to match: a string matches that exact pathname or any pathname starting with it,
   * a RegExp is searched in the pathname.
   * @default every path
   */
  path?: string | RegExp;
  /**
   * HTTP method to match, case-insensitive.
   * @default every method
   */
  method?: string;
}

/** Options shared by every scripted fault. */
export interface SandboxFaultOptions extends FaultMatch {
  /**
   * How many matching requests the fault applies to before it is used up.
   * @default Infinity
   */
  times?: number;
}

/** Options of {@link CustomerIOSandbox.respondWith}. */
export interface SandboxStatusFaultOptions extends SandboxFaultOptions {
  /**
   * Value of the `Retry-After` header (seconds, or an HTTP date).
   * @default no header
   */
  retryAfter?: number | string;
  /**
   * Response body: an object is sent as JSON, a string as is (`text/plain`).
   * @default {"meta":{"error":"scripted <status>"}}
   */
  body?: unknown;
}

/** Options of {@link CustomerIOSandbox.resetConnection}. */
export interface SandboxResetFaultOptions extends SandboxFaultOptions {
  /**
   * Apply the request to the recorded state before destroying the socket
   * (the request arrived, but its reply was lost).
   * @default false
   */
  afterProcessing?: boolean;
}

/** A device registered on a person. */
export interface SandboxDevice {
  /** Device token (v1 `device.id`, v2 `device.token`). */
  id: string;
  /** Platform as sent, e.g. `ios` or `android`. */
  platform: string;
  /** `last_used`, unix seconds, when sent. */
  lastUsed?: number;
  /** Device attributes, when sent. */
  attributes?: Record<string, unknown>;
}

/** A person as Customer.io would store it. */
export interface SandboxPerson {
  /** Identifier value the person was created with (an id, an email, or `cio_<cio_id>`). */
  id: string;
  /** Merged attributes; keys starting with `_` (such as `_update`) are not stored. */
  attributes: Record<string, unknown>;
  /** Devices by token. */
  devices: Record<string, SandboxDevice>;
  /** Whether the person is suppressed. */
  suppressed: boolean;
}

/** An object (an account, a company…) as Customer.io would store it. */
export interface SandboxObject {
  /** Key it is stored under: `<object_type_id>:<object_id>`, or its `cio_object_id`. */
  key: string;
  /** Merged attributes. */
  attributes: Record<string, unknown>;
  /** Its relationships: the related person (stored like `people`'s keys) to the relationship's attributes. */
  relationships: Record<string, Record<string, unknown>>;
}

/** A request of `POST /unsubscribe/{delivery_id}`. */
export interface SandboxUnsubscribe {
  /** The delivery from the path. */
  deliveryId: string;
  /** `unsubscribe` as sent: `true` unsubscribes, `false` resubscribes. */
  unsubscribe: boolean;
}

/** A form submission (`POST /api/v1/forms/{form_id}/submit`). */
export interface SandboxFormSubmission {
  /** The form from the path. */
  formId: string;
  /** The submitted `data`, as sent. */
  data: Record<string, string>;
}

/** An accepted event, page view or screen view. */
export interface SandboxEvent {
  /** Deduplication id (a ULID), when sent. */
  id?: string;
  /** Identifier of the person, for events sent about a person. */
  personId?: string;
  /** `anonymous_id` of an anonymous event (v1 `anonymous_id`, v2 `identifiers.anonymous_id`), when sent. */
  anonymousId?: string;
  /** Event name (the URL of a page view, the screen name of a screen view). */
  name: string;
  /** Kind of event. */
  type: 'event' | 'page' | 'screen';
  /** Event data (v1 `data`, v2 `attributes`); `{}` when none was sent. */
  data: Record<string, unknown>;
  /** `timestamp`, unix seconds, when sent. */
  timestamp?: number;
  /** Track API version the event came through. */
  api: 'v1' | 'v2';
}

/** A merge of two people, as requested. */
export interface SandboxMerge {
  /** Identifier of the person that remains, e.g. `{ id: 'u1' }`. */
  primary: Record<string, string>;
  /** Identifier of the person merged into it and deleted, e.g. `{ email: 'a@b.c' }`. */
  secondary: Record<string, string>;
}

/** Kind of transactional message, from the `POST /v1/send/{kind}` path. */
export type SandboxTransactionalKind = 'email' | 'push' | 'sms' | 'inbox_message' | 'in_app';

/** A transactional message accepted by the App API. */
export interface SandboxTransactional {
  /** Kind of message. */
  kind: SandboxTransactionalKind;
  /** Request body as sent. */
  body: Record<string, unknown>;
}

/** An API-triggered broadcast accepted by the App API. */
export interface SandboxBroadcast {
  /** Broadcast (campaign) id from the path. */
  broadcastId: string;
  /** Request body as sent. */
  body: Record<string, unknown>;
}

/** A `POST /api/v2/batch` request that got past faults and authentication. */
export interface SandboxBatch {
  /** Number of operations in the batch; 0 when the body was too large or malformed. */
  operations: number;
  /** Bytes of the request body the sandbox read (for a 413, those read before it stopped). */
  bytes: number;
  /** Status the sandbox answered with (200, 207, 400 or 413). */
  status: number;
}

/** One request the sandbox received. */
export interface SandboxRequestRecord {
  /** HTTP method. */
  method: string;
  /** URL pathname (still percent-encoded). */
  path: string;
  /** Status answered; 0 while unanswered, and for hung and reset requests. */
  status: number;
  /**
   * Bytes of the request body the sandbox read: the whole body of a request it processed; none when
   * it answered without reading the body (a scripted status, hang or reset, an unknown path, a 401, a
   * `Content-Length` over the limit); for a body refused while streaming, what it read until it passed
   * the limit (at most one 64 KiB chunk more).
   */
  bytes: number;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}
