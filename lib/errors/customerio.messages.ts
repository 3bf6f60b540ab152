/** Texts of the errors and log lines this module writes, in one place. */

/** Names an option, and the config variable it was read from when known. */
export const optionLabel = (option: string, source?: string): string =>
  source ? `"${option}" (from ${source})` : `"${option}"`;

export const MISSING_OPTION = (label: string) =>
  `CustomerIOModule: option ${label} is required and must be a non-blank string`;

export const INVALID_REGION = (label: string, got: unknown) =>
  `CustomerIOModule: option ${label} must be "us" or "eu", got ${describe(got)}`;

export const INVALID_URL = (label: string, got: unknown) =>
  `CustomerIOModule: option ${label} must be an absolute http(s) URL without credentials, query or fragment, got ${describe(got)}`;

export const INVALID_TIMEOUT = (label: string, got: unknown) =>
  `CustomerIOModule: option ${label} must be a positive, finite number of milliseconds, got ${describe(got)}`;

export const TIMEOUT_OUTLASTS_LEASE = (timeoutLabel: string, timeoutMs: number, leaseLabel: string, leaseMs: number) =>
  `CustomerIOModule: option ${timeoutLabel} (${timeoutMs} ms) must be at most a third of ${leaseLabel} (${leaseMs} ms): ` +
  'a request must end well within the lease of the batch it carries';

export const INVALID_NUMBER = (label: string, got: unknown, range: string) =>
  `CustomerIOModule: option ${label} must be an integer ${range}, got ${describe(got)}`;

export const INVALID_OPTION = (label: string, expected: string, got: unknown) =>
  `CustomerIOModule: option ${label} must be ${expected}, got ${describe(got)}`;

/** Several bad options at once: one line each, without the repeated prefix. */
export const INVALID_OPTIONS = (messages: readonly string[]) =>
  `CustomerIOModule: ${messages.length} options are invalid:\n${messages.map((m) => `  - ${m.replace(/^CustomerIOModule: /, '')}`).join('\n')}`;

export const MODULE_WITHOUT_OPTIONS = (importers: readonly string[]) =>
  `CustomerIOModule is imported without options${importers.length ? ` by ${importers.join(' and ')}` : ''}: ` +
  'import CustomerIOModule.forRoot({ siteId, apiKey, ... }) or CustomerIOModule.forRootAsync({ useFactory, inject }) once, ' +
  'with isGlobal: true (then other modules need not import it) or in a shared module that re-exports it (exports: [CustomerIOModule])';

export const MODULE_IMPORTED_TWICE = (importers: readonly string[]) =>
  `CustomerIOModule.forRoot/forRootAsync is imported ${importers.length} times in one application, by ${importers.join(' and ')}: ` +
  'each import would make its own client and queue. Import it once: with isGlobal: true in the root module, ' +
  'or in one shared module that re-exports it (exports: [CustomerIOModule]) and is imported where the client is needed';

export const SANDBOX_STARTED = (url: string) =>
  `Sandbox mode: started a local Customer.io sandbox at ${url} and sends there; nothing leaves this machine`;

export const DISABLED_MODE = () =>
  'Disabled mode: calls are validated as in live mode and nothing is sent; queued operations end as "disabled"';

export const APP_API_KEY_REQUIRED = (method: string) =>
  `CustomerIOClient.${method} needs the App API: set the "appApiKey" option`;

export const CHECK_REGION_NEEDS_TRACK = (label: string) =>
  `CustomerIOModule: option ${label} asks the Track API for the account's region: it needs "siteId" and "apiKey"`;

export const PIPELINES_NEEDS_SDK_5 =
  'CustomerIOModule: option "api" is "pipelines", which needs customerio-node 5.2 or later (its PipelinesClient); ' +
  'the installed customerio-node has none: install customerio-node@5, or use api "track"';

export const TRACK_API_ONLY = (method: string) =>
  `CustomerIOClient.${method} has no Pipelines API form: it goes to the Track API, which needs the "siteId" and ` +
  `"apiKey" options besides "pipelinesKey"`;

export const PIPELINES_API_ONLY = (method: string, instead: string) =>
  `CustomerIOClient.${method} is a Pipelines API call and option "api" is "track": ${instead}`;

export const PIPELINES_OPTION_UNSUPPORTED = (method: string, option: string) =>
  `CustomerIOClient.${method}: option ${option} has no Pipelines API form (option "api" is "pipelines")`;

export const QUEUED_FOR_OTHER_API = (api: string, needs: string) =>
  `queued for the ${api} API, which this application no longer configures (${needs})`;

export const BLANK = (field: string) => `${field} must be a non-blank string`;

export const TOO_LONG = (field: string, limit: number, bytes: number) =>
  `${field} is ${bytes} bytes, over Customer.io's limit of ${limit} bytes (UTF-8)`;

export const TOO_MANY_ATTRIBUTES = (field: string, limit: number, count: number) =>
  `${field} has ${count} attributes, over Customer.io's limit of ${limit}`;

export const TOO_LONG_AT_LEAST = (field: string, limit: number) =>
  `${field} is more than ${limit} bytes serialized, over Customer.io's limit of ${limit} bytes (UTF-8; counting stopped at the limit)`;

export const TOO_DEEP = (field: string, limit: number) =>
  `${field} nests objects and arrays more than ${limit} levels deep, over the limit of ${limit}`;

export const NOT_SERIALIZABLE = (field: string, reason: string) => `${field} cannot be sent as JSON: ${reason}`;

export const CIRCULAR = (target: string) => `it is a circular reference (to ${target})`;

export const TO_JSON_THREW = (error: unknown) =>
  `its toJSON() threw: ${error instanceof Error ? error.message : String(error)}`;

export const TO_JSON_UNDEFINED = () => 'its toJSON() returned undefined, which JSON would drop';

export const NOT_WELL_FORMED = (field: string, index: number, unit: number) =>
  `${field} is not well-formed Unicode: a lone surrogate \\u${unit.toString(16).toUpperCase()} at index ${index} has no UTF-8 form`;

export const RESERVED_ATTRIBUTE = (field: string) =>
  `${field}: "__proto__" cannot be an attribute name (JavaScript treats it as an object's prototype, so it would be lost)`;

export const INVALID_TIMESTAMP = (field: string, got: unknown) =>
  `${field} must be a valid Date from 1970 to 9999, or unix seconds (a non-negative integer), got ${describe(got)}`;

export const TIMESTAMP_IN_MILLISECONDS = (field: string, got: number, latest: number) =>
  `${field} is ${got}, after ${latest} (9999-12-31) in unix seconds: it looks like milliseconds; pass Math.floor(ms / 1000) or a Date`;

export const INVALID_VALUE = (field: string, expected: string, got: unknown) =>
  `${field} must be ${expected}, got ${describe(got)}`;

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}

export const OPERATION_TOO_LARGE = (bytes: number, limit: number) =>
  `operation is ${bytes} bytes serialized, over the limit of ${limit} bytes for one batch operation`;

export const QUEUE_FULL = (maxQueueSize: number, maxQueueBytes: number) =>
  `CustomerIO queue is full (maxQueueSize ${maxQueueSize} operations, maxQueueBytes ${maxQueueBytes} bytes)`;

export const NOT_STORED = (id: string, error: unknown) =>
  `operation ${id} was not stored: its queue store failed to append it (${String(error)})`;

export const QUEUE_CLOSED = () => 'CustomerIO queue is closed: the application is shutting down';

/** One log line for operations that reached an outcome other than delivered; lists at most 20 ids. */
export const REPORT_LINE = (outcome: string, ids: readonly string[], reason?: string) => {
  const shown = ids.length > 20 ? `${ids.slice(0, 20).join(', ')} … (+${ids.length - 20})` : ids.join(', ');
  const count = ids.length ? `${ids.length} operation${ids.length === 1 ? '' : 's'} ` : '';
  return `${count}${outcome}${reason ? `: ${reason}` : ''}${shown ? ` [${shown}]` : ''}`;
};

export const RECEIPT_TOO_LATE = (id: string) =>
  `the outcome of operation ${id} is no longer known: read receipt.delivered right after the call, before it settles`;

export const RECEIPT_LOOKUP_FAILED = (id: string, error: unknown) =>
  `the outcome of operation ${id} cannot be known: its store could not be read (${String(error)})`;

export const RECEIPT_OUTCOME_LOST = (id: string) =>
  `the outcome of operation ${id} cannot be known: another instance settled it while this one could not watch it, or could not record its outcome (Redis unreachable)`;

export const REDIS_OLD_LAYOUT = (prefix: string, operations: number) =>
  `CustomerIO Redis store: prefix "${prefix}" holds ${operations} operations written by an earlier version of this store, ` +
  'in a layout this version cannot read: deliver them with that version (stop every instance of this one), or use another prefix';

export const SHARED_OUTCOMES_FAILED = (what: 'watch' | 'report' | 'collect', error: unknown) =>
  `CustomerIO queue could not ${what} shared outcomes through its store (receipts whose operations another instance settles may be late): ${String(error)}`;

export const REQUEST_ABANDONED = () => 'Customer.io request abandoned: shutdown deadline passed';

export const REDIRECT_NOT_FOLLOWED = (status: number, host: string | undefined) =>
  `Customer.io answered ${status} redirecting to ${host ?? 'no readable Location'}: redirects are not followed, ` +
  'so the API key never goes to another host (check trackUrl and appApiUrl)';

export const NOT_JSON = (status: number, excerpt: string) =>
  `Customer.io answered ${status} with a body that is not JSON: ${excerpt}`;

/** Names a decorated call that was not tracked; the reason follows. */
export const DECORATOR_FAILED = (spec: { kind: string; event?: string; label: string }) =>
  `${spec.kind === 'track' ? `@TrackEvent('${spec.event}')` : '@Identify()'} on ${spec.label} was not tracked`;

export const DECORATOR_WITHOUT_APP = (label: string, running: number) =>
  `${label} is decorated with @TrackEvent/@Identify but was called outside an application that imports CustomerIOModule` +
  (running > 1 ? ` (${running} run in this process and the call is not inside one of their requests)` : '') +
  ': not tracked';

export const DECORATOR_NO_PERSON = (inRequest: boolean) =>
  inRequest
    ? 'no person: the decorator names none, and the request has no user (decorators.person) and no anonymous id (decorators.anonymousId)'
    : 'no person: the decorator names none, and the call is not part of an HTTP request';

export const KEPT_FOR_NEXT_START = (count: number, deadlineMs: number, inFlight: number) =>
  `${count} operations stay in the durable store for the next start (or another instance sharing it): the shutdown deadline of ${deadlineMs} ms passed` +
  (inFlight ? ` with ${inFlight} of them in flight here (released)` : '');

export const LEFT_TO_OTHER_INSTANCES = (count: number) =>
  `${count} operations stay in the shared store at shutdown, all leased by other instances or queued behind their leases: ` +
  'this instance had nothing left it could send; those instances (or the next start) send them';

export const LEASE_RUNNING_OUT = (leaseMs: number) =>
  `the batch's lease in the shared store (visibilityTimeoutMs ${leaseMs}) may end before another request could: Redis did not renew it in time`;

export const GIVEN_BACK = (count: number, leaseMs: number) =>
  `CustomerIO ${count} operation${count === 1 ? '' : 's'} given back unsent, no attempt spent: ${LEASE_RUNNING_OUT(leaseMs)}; the instance that leases them next sends them`;

/** A failure's message, whatever was thrown (user code may throw anything, even a value that cannot print). */
export function failureMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return `a value that cannot be printed (${typeof error})`;
  }
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * The one line a flush interval for each kind of failure summed instead of logged one by one, with how many
 * there were since the last line and the last one's message.
 */
export const SUMMARY_LINES = {
  rejected: (count: number, last: string) =>
    REPORT_LINE('rejected', [], `${plural(count, 'operation')}, last: ${last}`),
  dropped: (count: number, last: string) => REPORT_LINE('dropped', [], `${plural(count, 'operation')}, last: ${last}`),
  append: (count: number, last: string) =>
    REPORT_LINE('failed', [], `${plural(count, 'operation')} the store could not append, last: ${last}`),
  hook: (count: number, last: string) =>
    `${plural(count, 'delivery hook call')} threw or rejected (user code; ignored, the outcomes they reported stand), last: ${last}`,
  interceptor: (count: number, last: string) =>
    `${plural(count, 'interceptor call')} threw or rejected (user code; ignored, the requests went on without it), last: ${last}`,
  decorator: (count: number, last: string) => `${plural(count, 'decorated call')} not tracked, last: ${last}`,
  sharedOutcomes: (count: number, last: string) =>
    `${plural(count, 'store call')} sharing outcomes failed, last: ${last}`,
} as const;

/** User code (`what`: a mapper, a `decorators` option) that threw. */
export const USER_CODE_THREW = (what: string, error: unknown) => `${what} threw: ${failureMessage(error)}`;

/** A mapper or `decorators` option that handed back a Promise: the decorators read them synchronously. */
export const USER_CODE_RETURNED_PROMISE = (what: string) =>
  `${what} returned a Promise: mappers and decorators options must return their value synchronously`;

export const REGION_MISMATCH = (configured: string, actual: string, url: unknown) =>
  `CustomerIOModule: option "region" is "${configured}", but these Track API credentials belong to a Customer.io account ` +
  `in region "${actual}" (GET /api/v1/accounts/region${typeof url === 'string' ? `, ${url}` : ''}): set "region" to "${actual}" ` +
  `(CUSTOMERIO_REGION=${actual}), or remove a "trackUrl" / "appApiUrl" that points at the other region`;

export const REGION_UNCHECKED = (reason: string) =>
  `CustomerIOModule: could not check the account's region at start-up (GET /api/v1/accounts/region: ${reason}); ` +
  'starting anyway with the configured "region"';

/** The queue could not read its store (it tries again on the next pass). */
export const STORE_READ_FAILED = (error: unknown) => `CustomerIO queue could not read its store: ${String(error)}`;

/** Handling a batch failed in an unexpected way. */
export const BATCH_HANDLING_FAILED = (error: unknown) => `CustomerIO batch handling failed: ${String(error)}`;

/** The queue could not hand a batch back to its store. */
export const HAND_BACK_FAILED = (error: unknown) =>
  `CustomerIO queue could not hand a batch back to its store: ${String(error)}`;

/** The queue could not drop operations from its store (overflow: drop-oldest). */
export const STORE_DROP_FAILED = (error: unknown) => `CustomerIO queue could not drop from its store: ${String(error)}`;

/** The Redis store could not renew its leases. */
export const LEASE_RENEWAL_FAILED = (error: unknown) =>
  `CustomerIO Redis store could not renew its leases: ${String(error)}`;

/** The Redis store lost its connection and reconnects. */
export const REDIS_CONNECTION_LOST = (error: unknown) =>
  `CustomerIO Redis store lost its connection (reconnecting): ${String(error)}`;

/** The Redis store could not acknowledge operations (they will be sent again). */
export const REDIS_ACKNOWLEDGE_FAILED = (count: number, error: unknown) =>
  `CustomerIO Redis store could not acknowledge ${count} operations (they will be sent again): ${String(error)}`;

/** The Redis store could not release operations (their lease will run out). */
export const REDIS_RELEASE_FAILED = (count: number, error: unknown) =>
  `CustomerIO Redis store could not release ${count} operations (their lease will run out): ${String(error)}`;
