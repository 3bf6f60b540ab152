/**
 * How many entries each recorded collection received since start or the last `reset()`, forgotten
 * ones included: equal to the collection's length until it reaches `maxRecords`.
 */
export interface SandboxCounts {
  /** Requests received. */
  requests: number;
  /** Events, page views and screens accepted (duplicates excluded). */
  events: number;
  /** `POST /api/v2/batch` and `POST /v1/batch` requests that got past faults and authentication. */
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
  /** Pipelines API aliases accepted. */
  aliases: number;
  /** Pipelines API calls and requests dropped (see {@link SandboxDroppedCall}). */
  droppedCalls: number;
}

/** A device registered on a person. */
export interface SandboxDevice {
  /** Device token (v1 `device.id`, v2 `device.token`). */
  id: string;
  /** Platform as sent, e.g. `ios` or `android` (Pipelines: `context.device.type`, `''` when not sent). */
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
  /** Identifier of the person, for events sent about a person (Pipelines: `userId`, else `anonymousId`). */
  personId?: string;
  /**
   * `anonymous_id` of an anonymous event (v1 `anonymous_id`, v2 `identifiers.anonymous_id`, Pipelines `anonymousId`),
   * when sent.
   */
  anonymousId?: string;
  /**
   * Event name (the URL of a page view, the screen name of a screen view; Pipelines: `event`, or the page's or screen's
   * `name`, a page's `properties.url` when it has none, else `''`).
   */
  name: string;
  /** Kind of event. */
  type: 'event' | 'page' | 'screen';
  /** Event data (v1 `data`, v2 `attributes`, Pipelines `properties`); `{}` when none was sent. */
  data: Record<string, unknown>;
  /** `timestamp`, unix seconds, when sent (Pipelines: parsed from its ISO 8601 `timestamp`). */
  timestamp?: number;
  /** API the event came through: Track API v1 or v2, or the Pipelines API. */
  api: 'v1' | 'v2' | 'pipelines';
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

/** A `POST /api/v2/batch` (Track) or `POST /v1/batch` (Pipelines) request that got past faults and authentication. */
export interface SandboxBatch {
  /** API of the batch. */
  api: 'track' | 'pipelines';
  /** Number of operations (Pipelines: calls) in the batch; 0 when the body was too large or malformed. */
  operations: number;
  /** Bytes of the request body the sandbox read (for a body over the limit, those read before it stopped). */
  bytes: number;
  /** Status the sandbox answered with (Track: 200, 207, 400 or 413; Pipelines: 200 or 400). */
  status: number;
}

/** A Pipelines API `alias` call: `previousId`'s profile merged into `userId`'s. */
export interface SandboxAlias {
  /** The identifier merged away (an `anonymousId` or a `userId`). */
  previousId: string;
  /** The identifier kept. */
  userId: string;
}

/**
 * What the Pipelines API would drop while answering 200: a request over its size limits (nothing in it applied),
 * a request or call that fails validation without `X-Strict-Mode: 1` (Customer.io logs the error).
 */
export interface SandboxDroppedCall {
  /** Why, e.g. `request is larger than 32000 bytes` or `batch[3].userId: required`. */
  reason: string;
  /** The call as sent, when one call was dropped (absent when a whole request was). */
  call?: unknown;
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
