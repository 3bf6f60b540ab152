import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { delayFault, type SandboxFaults, statusFault } from './sandbox-faults.js';
import type { SandboxHttpServer } from './sandbox-http.server.js';
import { resolveSandboxOptions, type ResolvedSandboxOptions, sandboxOrigin } from './sandbox-options.js';
import { type SandboxParts, startSandboxParts } from './sandbox-parts.js';
import type { SandboxRecords } from './sandbox-records.js';
import type {
  SandboxFaultOptions,
  SandboxResetFaultOptions,
  SandboxStatusFaultOptions,
} from './sandbox-faults.interface.js';
import type {
  SandboxAlias,
  SandboxBatch,
  SandboxBroadcast,
  SandboxCounts,
  SandboxDroppedCall,
  SandboxEvent,
  SandboxFormSubmission,
  SandboxMerge,
  SandboxObject,
  SandboxPerson,
  SandboxRequestRecord,
  SandboxTransactional,
  SandboxUnsubscribe,
} from './sandbox-records.interface.js';
import type { CustomerIOSandboxOptions, SandboxModuleOptions } from './sandbox.interface.js';

/**
 * A local Customer.io: a real HTTP server speaking the Track API (v1 under `/api/v1`, v2 under
 * `/api/v2`), the App API send endpoints and the Pipelines API (both under `/v1`), recording what it accepts (at most
 * `maxRecords` entries a collection) and misbehaving on demand (scripted statuses, hangs, delays,
 * connection resets).
 *
 * @example
 * const sandbox = await CustomerIOSandbox.start();
 * // CustomerIOModule.forRoot(sandbox.moduleOptions()) ... then:
 * await sandbox.waitFor(() => sandbox.events.length === 1);
 * await sandbox.close();
 */
export class CustomerIOSandbox {
  /** Origin of the sandbox, `http://HOST:PORT` (no trailing slash). */
  readonly url: string;
  /** Port the sandbox listens on. */
  readonly port: number;
  /** Site id the sandbox accepts. */
  readonly siteId: string;
  /** Track API key the sandbox accepts. */
  readonly apiKey: string;
  /** App API key the sandbox accepts. */
  readonly appApiKey: string;
  /** Pipelines API key the sandbox accepts. */
  readonly pipelinesKey: string;
  /** Most entries kept in each recorded collection (see {@link CustomerIOSandboxOptions.maxRecords}). */
  readonly maxRecords: number;
  /** The region of the account the sandbox plays (see {@link CustomerIOSandboxOptions.region}). */
  readonly region: 'us' | 'eu';
  /** Whether Customer.io's published rules are enforced (see {@link CustomerIOSandboxOptions.strict}). */
  readonly strict: boolean;

  private readonly records: SandboxRecords;
  private readonly faults: SandboxFaults;
  private readonly server: SandboxHttpServer;

  private constructor(
    options: ResolvedSandboxOptions,
    private readonly parts: SandboxParts,
  ) {
    this.siteId = options.siteId;
    this.apiKey = options.apiKey;
    this.appApiKey = options.appApiKey;
    this.pipelinesKey = options.pipelinesKey;
    this.maxRecords = options.maxRecords;
    this.strict = options.strict;
    this.region = options.region;
    this.port = parts.port;
    this.url = sandboxOrigin(options.host, parts.port);
    this.records = parts.records;
    this.faults = parts.faults;
    this.server = parts.server;
  }

  /** Starts a sandbox listening on `options.host`:`options.port` (a free port by default). */
  static async start(options: CustomerIOSandboxOptions = {}): Promise<CustomerIOSandbox> {
    const resolved = resolveSandboxOptions(options);
    // NOTE: the inspector's reset resets the whole sandbox, which exists by the time a request can ask
    const sandbox: CustomerIOSandbox = new CustomerIOSandbox(
      resolved,
      await startSandboxParts(resolved, () => sandbox.reset()),
    );
    return sandbox;
  }

  /** Requests received, in arrival order (the last `maxRecords`). */
  get requests(): SandboxRequestRecord[] {
    return this.records.requests;
  }

  /**
   * People by identifier as used (an id, an email, `cio_<cio_id>`; Pipelines: a `userId` or an `anonymousId`), least
   * recently written first (at most `maxRecords`).
   */
  get people(): Map<string, SandboxPerson> {
    return this.records.people;
  }

  /** Objects by key (`<object_type_id>:<object_id>`, or the `cio_object_id`), least recently written first (at most `maxRecords`). */
  get objects(): Map<string, SandboxObject> {
    return this.records.objects;
  }

  /** Members of manual segments by segment id, people keyed like {@link people}. */
  get segments(): Map<number, Set<string>> {
    return this.records.segments;
  }

  /** Requests of `POST /unsubscribe/{delivery_id}` (the last `maxRecords`). */
  get unsubscribes(): SandboxUnsubscribe[] {
    return this.records.unsubscribes;
  }

  /** Form submissions accepted by `POST /api/v1/forms/{form_id}/submit` (the last `maxRecords`). */
  get forms(): SandboxFormSubmission[] {
    return this.records.forms;
  }

  /** Accepted events, page views and screens (v1, v2 and Pipelines), in arrival order (the last `maxRecords`). */
  get events(): SandboxEvent[] {
    return this.records.events;
  }

  /** Identifiers of people deleted through the API, in order (the last `maxRecords`). */
  get deletedPeople(): string[] {
    return this.records.deletedPeople;
  }

  /** Accepted merges, in order (the last `maxRecords`). */
  get merges(): SandboxMerge[] {
    return this.records.merges;
  }

  /**
   * Bodies of `POST /api/v1/push/events` and `POST /api/v1/metrics`, and Pipelines `Report Delivery Event` properties
   * in the same fields (`delivery_id`, `metric`, `timestamp` in unix seconds…) (the last `maxRecords`).
   */
  get metrics(): Record<string, unknown>[] {
    return this.records.metrics;
  }

  /** Transactional messages accepted by `POST /v1/send/{kind}` (the last `maxRecords`). */
  get transactional(): SandboxTransactional[] {
    return this.records.transactional;
  }

  /** Broadcasts triggered through `POST /v1/campaigns/{id}/triggers` (the last `maxRecords`). */
  get broadcasts(): SandboxBroadcast[] {
    return this.records.broadcasts;
  }

  /** Track and Pipelines batch requests that got past faults and authentication, in order (the last `maxRecords`). */
  get batches(): SandboxBatch[] {
    return this.records.batches;
  }

  /** Pipelines API aliases accepted, in order (the last `maxRecords`). */
  get aliases(): SandboxAlias[] {
    return this.records.aliases;
  }

  /**
   * What the Pipelines API would drop while answering 200, in order (the last `maxRecords`): requests over its limits,
   * and, without `X-Strict-Mode: 1`, invalid requests and calls. A client that never triggers it leaves it empty.
   */
  get droppedCalls(): SandboxDroppedCall[] {
    return this.records.droppedCalls;
  }

  /** How many entries each collection received since start or the last {@link reset}, forgotten ones included. */
  get counts(): SandboxCounts {
    return this.records.counts;
  }

  /**
   * Events ignored because their `id` was seen before, and Pipelines calls ignored because their `messageId` was (the
   * APIs share the ids; the last `maxRecords` ids are remembered).
   */
  get duplicateEvents(): number {
    return this.records.duplicateEvents;
  }

  /** Sockets currently open. */
  get openConnections(): number {
    return this.server.sockets.size;
  }

  /** Most sockets open at once since start or the last {@link reset}. */
  get peakConnections(): number {
    return this.server.peak;
  }

  /** Requests received and not answered yet whose connection is still open (a hung request holds one). */
  get pendingRequests(): number {
    return this.server.pending;
  }

  /** Connections accepted since start or the last {@link reset}: with keep-alive, far fewer than requests. */
  get connectionsOpened(): number {
    return this.server.opened;
  }

  /** Options for `CustomerIOModule.forRoot` pointing every API at this sandbox. */
  moduleOptions(): SandboxModuleOptions {
    const { siteId, apiKey, appApiKey, pipelinesKey, url } = this;
    return { siteId, apiKey, appApiKey, pipelinesKey, trackUrl: url, appApiUrl: url, pipelinesUrl: url };
  }

  /**
   * Stops listening and destroys every open socket, hung requests included; resolves once all are
   * closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.parts.inspector.close();
    return this.server.close();
  }

  /** Clears the recorded state, the request log, the counts, the scripted faults and the connection counters. */
  reset(): void {
    this.records.reset();
    this.parts.exchanges.reset();
    this.faults.clear();
    this.server.resetCounters();
    this.parts.inspector.announceReset();
  }

  /**
   * Polls `predicate` every 5 ms (real timers) until it returns true.
   * @param timeoutMs how long to wait before rejecting. @default 5000
   */
  async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() >= deadline) {
        const condition = String(predicate).replace(/\s+/g, ' ').slice(0, 200);
        throw new Error(
          `CustomerIOSandbox.waitFor: condition not met within ${timeoutMs} ms: ${condition} ` +
            `(${this.records.counts.requests} requests received)`,
        );
      }
      await sleep(5);
    }
  }

  /**
   * Answers matching requests with `status` (plus `Retry-After` and `body` when given) without
   * touching the recorded state, before checking credentials and without reading the body.
   */
  respondWith(status: number, options: SandboxStatusFaultOptions = {}): this {
    this.faults.add(options, statusFault(status, options));
    return this;
  }

  /** Never answers matching requests (until {@link close}); their bodies are discarded unread. */
  hang(options: SandboxFaultOptions = {}): this {
    this.faults.add(options, { kind: 'hang' });
    return this;
  }

  /** Waits `ms` milliseconds before processing matching requests normally. */
  delay(ms: number, options: SandboxFaultOptions = {}): this {
    this.faults.add(options, delayFault(ms));
    return this;
  }

  /**
   * Destroys the socket of matching requests without answering; with `afterProcessing`, the request
   * is applied to the recorded state first.
   */
  resetConnection(options: SandboxResetFaultOptions = {}): this {
    this.faults.add(options, { kind: 'reset', afterProcessing: options.afterProcessing ?? false });
    return this;
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.faults.clear();
  }
}
