import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchOperationSizes } from './batch-operation.scanner.js';
import { isObject, SandboxState } from './sandbox-operations.js';
import type { OperationError } from './sandbox-operations.js';
import type {
  CustomerIOSandboxOptions,
  FaultMatch,
  SandboxBatch,
  SandboxBroadcast,
  SandboxEvent,
  SandboxFaultOptions,
  SandboxMerge,
  SandboxModuleOptions,
  SandboxPerson,
  SandboxRequestRecord,
  SandboxResetFaultOptions,
  SandboxStatusFaultOptions,
  SandboxTransactional,
  SandboxTransactionalKind,
} from './sandbox.interface.js';

/** An answer to send: `body` objects go out as JSON, strings as text, `undefined` as nothing. */
interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type FaultAction =
  | { kind: 'status'; reply: Reply }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset'; afterProcessing: boolean };

interface FaultRule extends FaultMatch {
  remaining: number;
  action: FaultAction;
}

const V2_BATCH_BYTES = 512_000;
const V2_ENTITY_BYTES = 32_000;
const TRANSACTIONAL_KINDS: readonly string[] = ['email', 'push', 'sms', 'inbox_message', 'in_app'];
const OK: Reply = { status: 200, body: {} };
const NOT_FOUND: Reply = { status: 404, body: { meta: { error: 'Not found' } } };
const UNAUTHORIZED: Reply = { status: 401, body: { meta: { error: 'Unauthorized request' } } };
const metaError = (status: number, error: string): Reply => ({ status, body: { meta: { error } } });
const v1Reply = (error: OperationError | undefined): Reply =>
  error ? { status: 400, body: { meta: { errors: [error.message] } } } : OK;
const tooLarge = (limit: number): Reply => ({
  status: 413,
  body: { errors: [{ reason: 'request_too_large', message: `request is larger than ${limit} bytes` }] },
});

/** Parses a request body; an empty body is `{}`. Returns `undefined` for invalid JSON. */
function parseJson(body: Buffer): { value: unknown } | undefined {
  try {
    return { value: body.length === 0 ? {} : JSON.parse(body.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** Percent-decodes path segments; `undefined` when one is malformed. */
function decodeSegments(segments: string[]): string[] | undefined {
  try {
    return segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

const isTransactionalKind = (kind: string | undefined): kind is SandboxTransactionalKind =>
  TRANSACTIONAL_KINDS.includes(kind as string);

/**
 * A local Customer.io: a real HTTP server speaking the Track API (v1 under `/api/v1`, v2 under
 * `/api/v2`) and the App API send endpoints (under `/v1`), recording what it accepts and
 * misbehaving on demand (scripted statuses, hangs, delays, connection resets).
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
  /** Every request received, in arrival order. */
  readonly requests: SandboxRequestRecord[] = [];

  private readonly state = new SandboxState();
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly closed = new AbortController();
  private readonly trackAuthorization: string;
  private readonly appAuthorization: string;
  private peak = 0;
  private opened = 0;
  private pending = 0;
  private closing?: Promise<void>;

  private constructor(
    private readonly server: Server,
    options: Required<CustomerIOSandboxOptions>,
    port: number,
  ) {
    this.siteId = options.siteId;
    this.apiKey = options.apiKey;
    this.appApiKey = options.appApiKey;
    this.port = port;
    this.url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    this.trackAuthorization = `Basic ${Buffer.from(`${this.siteId}:${this.apiKey}`).toString('base64')}`;
    this.appAuthorization = `Bearer ${this.appApiKey}`;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.opened += 1;
      this.peak = Math.max(this.peak, this.sockets.size);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const record: SandboxRequestRecord = {
        method: req.method ?? 'GET',
        path: (req.url ?? '/').split('?', 1)[0],
        status: 0,
        bytes: 0,
        receivedAt: Date.now(),
      };
      this.requests.push(record);
      this.pending += 1;
      res.once('close', () => (this.pending -= 1));
      this.handle(req, res, record).catch((error: unknown) => {
        // the client went away mid-request, or the sandbox has a bug worth reporting
        if (!res.headersSent && !res.destroyed) this.send(res, record, metaError(500, String(error)));
      });
    });
  }

  /** Starts a sandbox listening on `options.host`:`options.port` (a free port by default). */
  static async start(options: CustomerIOSandboxOptions = {}): Promise<CustomerIOSandbox> {
    const resolved: Required<CustomerIOSandboxOptions> = {
      siteId: options.siteId ?? 'sandbox-site',
      apiKey: options.apiKey ?? 'sandbox-api-key',
      appApiKey: options.appApiKey ?? 'sandbox-app-api-key',
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
    };
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new CustomerIOSandbox(server, resolved, (server.address() as AddressInfo).port);
  }

  /** People by identifier as used (an id, an email, or `cio_<cio_id>`). */
  get people(): Map<string, SandboxPerson> {
    return this.state.people;
  }

  /** Accepted events, page views and screens (v1 and v2), in arrival order. */
  get events(): SandboxEvent[] {
    return this.state.events;
  }

  /** Identifiers of people deleted through the API, in order. */
  get deletedPeople(): string[] {
    return this.state.deletedPeople;
  }

  /** Accepted merges, in order. */
  get merges(): SandboxMerge[] {
    return this.state.merges;
  }

  /** Bodies of `POST /api/v1/push/events` and `POST /api/v1/metrics`. */
  get metrics(): Record<string, unknown>[] {
    return this.state.metrics;
  }

  /** Transactional messages accepted by `POST /v1/send/{kind}`. */
  get transactional(): SandboxTransactional[] {
    return this.state.transactional;
  }

  /** Broadcasts triggered through `POST /v1/campaigns/{id}/triggers`. */
  get broadcasts(): SandboxBroadcast[] {
    return this.state.broadcasts;
  }

  /** `POST /api/v2/batch` requests that got past faults and authentication, in order. */
  get batches(): SandboxBatch[] {
    return this.state.batches;
  }

  /** Events ignored because their `id` was seen before (v1 and v2 share the ids). */
  get duplicateEvents(): number {
    return this.state.duplicateEvents;
  }

  /** Sockets currently open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Most sockets open at once since start or the last {@link reset}. */
  get peakConnections(): number {
    return this.peak;
  }

  /** Requests received and not answered yet whose connection is still open (a hung request holds one). */
  get pendingRequests(): number {
    return this.pending;
  }

  /** Connections accepted since start or the last {@link reset}: with keep-alive, far fewer than requests. */
  get connectionsOpened(): number {
    return this.opened;
  }

  /** Options for `CustomerIOModule.forRoot` pointing every API at this sandbox. */
  moduleOptions(): SandboxModuleOptions {
    const { siteId, apiKey, appApiKey, url } = this;
    return { siteId, apiKey, appApiKey, trackUrl: url, appApiUrl: url };
  }

  /**
   * Stops listening and destroys every open socket, hung requests included; resolves once all are
   * closed. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Clears the recorded state, the request log, the scripted faults and the connection counters. */
  reset(): void {
    this.state.reset();
    this.requests.length = 0;
    this.faults.length = 0;
    this.peak = this.sockets.size;
    this.opened = 0;
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
            `(${this.requests.length} requests received)`,
        );
      }
      await sleep(5);
    }
  }

  /**
   * Answers matching requests with `status` (plus `Retry-After` and `body` when given) without
   * touching the recorded state.
   */
  respondWith(status: number, options: SandboxStatusFaultOptions = {}): this {
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`respondWith: status must be an integer from 200 to 599, got ${status}`);
    }
    const headers: Record<string, string> = options.retryAfter === undefined ? {} : { 'Retry-After': String(options.retryAfter) };
    const body = [204, 205, 304].includes(status) ? undefined : (options.body ?? { meta: { error: `scripted ${status}` } });
    return this.addFault(options, { kind: 'status', reply: { status, body, headers } });
  }

  /** Reads matching requests and never answers them (until {@link close}). */
  hang(options: SandboxFaultOptions = {}): this {
    return this.addFault(options, { kind: 'hang' });
  }

  /** Waits `ms` milliseconds before processing matching requests normally. */
  delay(ms: number, options: SandboxFaultOptions = {}): this {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`delay: ms must be a finite number >= 0, got ${ms}`);
    return this.addFault(options, { kind: 'delay', ms });
  }

  /**
   * Destroys the socket of matching requests without answering; with `afterProcessing`, the request
   * is applied to the recorded state first.
   */
  resetConnection(options: SandboxResetFaultOptions = {}): this {
    return this.addFault(options, { kind: 'reset', afterProcessing: options.afterProcessing ?? false });
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  private addFault({ path, method, times = Infinity }: SandboxFaultOptions, action: FaultAction): this {
    if (!(times >= 1)) throw new RangeError(`times must be at least 1, got ${times}`);
    this.faults.push({ path, method: method?.toUpperCase(), remaining: times, action });
    return this;
  }

  /** The first fault matching the request that has uses left, used once. */
  private takeFault(method: string, pathname: string): FaultAction | undefined {
    const rule = this.faults.find(
      ({ path, method: ruleMethod, remaining }) =>
        remaining > 0 &&
        (ruleMethod === undefined || ruleMethod === method) &&
        (path === undefined || (typeof path === 'string' ? pathname.startsWith(path) : pathname.search(path) >= 0)),
    );
    if (rule) rule.remaining -= 1;
    return rule?.action;
  }

  private async shutdown(): Promise<void> {
    this.closed.abort();
    const socketsClosed = [...this.sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    const serverClosed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  /** Reads a request, applies the fault it matches, if any, and answers it. */
  private async handle(req: IncomingMessage, res: ServerResponse, record: SandboxRequestRecord): Promise<void> {
    const { method } = record;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    record.bytes = body.length;
    const fault = this.takeFault(method, record.path);
    switch (fault?.kind) {
      case 'hang':
        return;
      case 'status':
        return this.send(res, record, fault.reply);
      case 'reset':
        if (fault.afterProcessing) this.process(method, record.path, req.headers.authorization, body);
        req.socket.destroy();
        return;
      case 'delay':
        try {
          await sleep(fault.ms, undefined, { signal: this.closed.signal });
        } catch {
          return; // closed while waiting: the socket is gone
        }
    }
    this.send(res, record, this.process(method, record.path, req.headers.authorization, body));
  }

  private send(res: ServerResponse, record: SandboxRequestRecord, reply: Reply): void {
    record.status = reply.status;
    if (reply.body === undefined) {
      res.writeHead(reply.status, reply.headers).end();
      return;
    }
    const text = typeof reply.body === 'string';
    const payload = text ? (reply.body as string) : JSON.stringify(reply.body);
    res
      .writeHead(reply.status, {
        'Content-Type': text ? 'text/plain; charset=utf-8' : 'application/json',
        'Content-Length': String(Buffer.byteLength(payload)),
        ...reply.headers,
      })
      .end(payload);
  }

  /** Authenticates, routes and applies one request. */
  private process(method: string, pathname: string, authorization: string | undefined, body: Buffer): Reply {
    const segments = decodeSegments(pathname.split('/').slice(1));
    if (!segments) return metaError(400, 'invalid URL encoding');
    const track = segments[0] === 'api' && (segments[1] === 'v1' || segments[1] === 'v2');
    if (!track && segments[0] !== 'v1') return NOT_FOUND;
    if (authorization !== (track ? this.trackAuthorization : this.appAuthorization)) return UNAUTHORIZED;
    if (track && segments[1] === 'v2') return this.trackV2(`${method} ${segments.slice(2).join('/')}`, body);
    const parsed = parseJson(body);
    if (!parsed) return metaError(400, 'invalid JSON');
    if (!isObject(parsed.value)) return metaError(400, 'request body must be a JSON object');
    return track ? this.trackV1(method, segments.slice(2), parsed.value) : this.appApi(method, segments.slice(1), parsed.value);
  }

  private trackV1(method: string, route: string[], body: Record<string, unknown>): Reply {
    const [, id, , deviceId] = route;
    const customer = route[0] === 'customers';
    const signature = route.map((segment, index) => (customer && (index === 1 || index === 3) ? ':' : segment)).join('/');
    const event = (personId: string | undefined, type: unknown): Reply =>
      v1Reply(
        this.state.event({
          personId,
          anonymousId: body.anonymous_id,
          name: body.name,
          type: type === 'page' || type === 'screen' ? type : 'event',
          data: body.data,
          timestamp: body.timestamp,
          id: body.id,
          api: 'v1',
        }),
      );
    switch (`${method} ${signature}`) {
      case 'PUT customers/:':
        return v1Reply(this.state.identify(id, body));
      case 'DELETE customers/:':
        return v1Reply(this.state.delete(id));
      case 'POST customers/:/events':
        return event(id, body.type);
      case 'PUT customers/:/devices':
        return v1Reply(this.state.addDevice(id, body.device, 'id'));
      case 'DELETE customers/:/devices/:':
        return v1Reply(this.state.deleteDevice(id, deviceId));
      case 'POST customers/:/suppress':
      case 'POST customers/:/unsuppress':
        return v1Reply(this.state.setSuppressed(id, route[2] === 'suppress'));
      case 'POST events':
        return event(undefined, body.type);
      case 'POST merge_customers':
        return v1Reply(this.state.merge(body.primary, body.secondary));
      case 'POST push/events':
      case 'POST metrics':
        this.state.metrics.push(body);
        return OK;
      default:
        return NOT_FOUND;
    }
  }

  private trackV2(endpoint: string, body: Buffer): Reply {
    if (endpoint === 'POST entity') {
      if (body.length > V2_ENTITY_BYTES) return tooLarge(V2_ENTITY_BYTES);
      const parsed = parseJson(body);
      if (!parsed) return metaError(400, 'invalid JSON');
      const error = this.state.applyOperation(parsed.value);
      return error ? { status: 400, body: { errors: [error] } } : OK;
    }
    if (endpoint !== 'POST batch') return NOT_FOUND;
    const { reply, operations } = this.batch(body);
    this.state.batches.push({ operations, bytes: body.length, status: reply.status });
    return reply;
  }

  private batch(body: Buffer): { reply: Reply; operations: number } {
    if (body.length > V2_BATCH_BYTES) return { reply: tooLarge(V2_BATCH_BYTES), operations: 0 };
    const parsed = parseJson(body);
    if (!parsed) return { reply: metaError(400, 'invalid JSON'), operations: 0 };
    if (!isObject(parsed.value) || !Array.isArray(parsed.value.batch)) {
      const error = { reason: 'invalid', field: 'batch', message: 'batch must be an array of operations' };
      return { reply: { status: 400, body: { errors: [error] } }, operations: 0 };
    }
    const operations: unknown[] = parsed.value.batch;
    const sizes = batchOperationSizes(body);
    const errors = operations.flatMap((op, index) => {
      const error = this.state.applyOperation(op, sizes?.[index]);
      return error ? [{ batch_index: index, ...error }] : [];
    });
    return { reply: errors.length > 0 ? { status: 207, body: { errors } } : OK, operations: operations.length };
  }

  private appApi(method: string, route: string[], body: Record<string, unknown>): Reply {
    if (method !== 'POST') return NOT_FOUND;
    const [resource, kind] = route;
    if (resource === 'send' && route.length === 2 && isTransactionalKind(kind)) {
      this.state.transactional.push({ kind, body });
      return { status: 200, body: { delivery_id: randomBytes(12).toString('base64url'), queued_at: Math.floor(Date.now() / 1000) } };
    }
    // customerio-node 4.4.0 posts broadcast triggers to /v1/api/campaigns/{id}/triggers.
    const [campaigns, broadcastId, triggers, ...rest] = resource === 'api' ? route.slice(1) : route;
    if (campaigns === 'campaigns' && triggers === 'triggers' && rest.length === 0 && broadcastId) {
      this.state.broadcasts.push({ broadcastId, body });
      return { status: 200, body: { id: this.state.broadcasts.length } };
    }
    return NOT_FOUND;
  }
}
