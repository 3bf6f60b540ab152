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

export const BLANK = (field: string) => `${field} must be a non-blank string`;

export const TOO_LONG = (field: string, limit: number, bytes: number) =>
  `${field} is ${bytes} bytes, over Customer.io's limit of ${limit} bytes (UTF-8)`;

export const TOO_MANY_ATTRIBUTES = (field: string, limit: number, count: number) =>
  `${field} has ${count} attributes, over Customer.io's limit of ${limit}`;

export const NOT_SERIALIZABLE = (field: string, reason: string) => `${field} cannot be sent as JSON: ${reason}`;

export const INVALID_TIMESTAMP = (field: string, got: unknown) =>
  `${field} must be a Date or unix seconds (a finite, non-negative number), got ${describe(got)}`;

export const INVALID_VALUE = (field: string, expected: string, got: unknown) =>
  `${field} must be ${expected}, got ${describe(got)}`;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}

export const OPERATION_TOO_LARGE = (bytes: number, limit: number) =>
  `operation is ${bytes} bytes serialized, over the limit of ${limit} bytes for one batch operation`;

export const QUEUE_FULL = (maxQueueSize: number, maxQueueBytes: number) =>
  `CustomerIO queue is full (maxQueueSize ${maxQueueSize} operations, maxQueueBytes ${maxQueueBytes} bytes)`;

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
  `the outcome of operation ${id} cannot be known: another instance settled it while this one could not watch it (Redis unreachable)`;

export const SHARED_OUTCOMES_FAILED = (what: 'watch' | 'report' | 'collect', error: unknown) =>
  `CustomerIO queue could not ${what} shared outcomes through its store (receipts whose operations another instance settles may be late): ${String(error)}`;

export const REQUEST_ABANDONED = () => 'Customer.io request abandoned: shutdown deadline passed';

export const REDIRECT_NOT_FOLLOWED = (status: number, host: string | undefined) =>
  `Customer.io answered ${status} redirecting to ${host ?? 'no readable Location'}: redirects are not followed, ` +
  'so the API key never goes to another host (check trackUrl and appApiUrl)';

export const NOT_JSON = (status: number, excerpt: string) =>
  `Customer.io answered ${status} with a body that is not JSON: ${excerpt}`;

export const DECORATOR_FAILED = (spec: { kind: string; event?: string; label: string }, error: unknown) =>
  `${spec.kind === 'track' ? `@TrackEvent('${spec.event}')` : '@Identify()'} on ${spec.label} was not tracked: ${
    error instanceof Error ? error.message : String(error)
  }`;

export const DECORATOR_WITHOUT_APP = (label: string, running: number) =>
  `${label} is decorated with @TrackEvent/@Identify but was called outside an application that imports CustomerIOModule` +
  (running > 1 ? ` (${running} run in this process and the call is not inside one of their requests)` : '') +
  ': not tracked';

export const DECORATOR_NO_PERSON = (inRequest: boolean) =>
  inRequest
    ? 'no person: the decorator names none, and the request has no user (decorators.person) and no anonymous id (decorators.anonymousId)'
    : 'no person: the decorator names none, and the call is not part of an HTTP request';

export const KEPT_FOR_NEXT_START = (count: number, deadlineMs: number) =>
  `${count} operations not sent within the shutdown deadline of ${deadlineMs} ms stay in the durable store for the next start`;
