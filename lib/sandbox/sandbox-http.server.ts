import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBody } from './request-body.reader.js';
import type { SandboxExchanges } from './sandbox-exchanges.js';
import type { SandboxFaults } from './sandbox-faults.js';
import type { SandboxState } from './sandbox-operations.js';
import type { SandboxRecords } from './sandbox-records.js';
import { metaError, type Reply, sendReply } from './sandbox-reply.js';
import { resolveRoute, type SandboxRoute } from './sandbox-routes.js';
import type { SandboxRequestRecord } from './sandbox-records.interface.js';

/** How long the rest of a refused body is discarded after the answer before the connection is destroyed. */
const LINGER_MS = 1_000;
const UNAUTHORIZED: Reply = { status: 401, body: { meta: { error: 'Unauthorized request' } }, close: true };

/** What the server needs to answer requests (internal). */
export interface SandboxHttpParts {
  records: SandboxRecords;
  state: SandboxState;
  faults: SandboxFaults;
  /** The `Authorization` header each kind of credentials must match. */
  authorization: Record<Exclude<SandboxRoute['credentials'], 'none'>, string>;
  /** The detail of each recorded request. */
  exchanges: SandboxExchanges;
  /**
   * Answers a request of the sandbox's own (its inspector, under `/` and `/_sandbox/`) and returns true, or returns
   * false for a Customer.io request; what it answers is neither recorded nor subject to faults.
   */
  ownRequest(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * The sandbox's HTTP server (internal): counts connections, records each request, applies the scripted
 * fault it matches, then checks its route and credentials before reading its body, and reads at most
 * the route's limit (see {@link readBody}).
 */
export class SandboxHttpServer {
  /** Sockets currently open. */
  readonly sockets = new Set<Socket>();
  /** Most sockets open at once since start or the last {@link resetCounters}. */
  peak = 0;
  /** Connections accepted since start or the last {@link resetCounters}. */
  opened = 0;
  /** Requests received and not answered whose connection is still open. */
  pending = 0;
  readonly #closed = new AbortController();
  #closing?: Promise<void>;

  private constructor(
    private readonly server: Server,
    private readonly parts: SandboxHttpParts,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      this.opened += 1;
      this.peak = Math.max(this.peak, this.sockets.size);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#receive(req, res));
    // NOTE: a client sending `Expect: 100-continue` is told to go on only once the body is to be read
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.#receive(req, res));
  }

  /** Listens on `host`:`port` (0: a free port); resolves with the server and the port it got. */
  static async listen(
    host: string,
    port: number,
    parts: SandboxHttpParts,
  ): Promise<{ server: SandboxHttpServer; port: number }> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { server: new SandboxHttpServer(server, parts), port: (server.address() as AddressInfo).port };
  }

  /** Zeroes the connection counters (the peak restarts at the sockets open now). */
  resetCounters(): void {
    this.peak = this.sockets.size;
    this.opened = 0;
  }

  /** Stops listening and destroys every socket; the same promise on every call. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed.abort();
    const socketsClosed = [...this.sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    const serverClosed = new Promise((resolve) => this.server.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  #receive(req: IncomingMessage, res: ServerResponse): void {
    if (this.parts.ownRequest(req, res)) return;
    const record: SandboxRequestRecord = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?', 1)[0],
      status: 0,
      bytes: 0,
      receivedAt: Date.now(),
    };
    this.parts.records.add('requests', record);
    this.parts.exchanges.begin(record, req.url ?? '/', req.headers);
    this.pending += 1;
    res.once('close', () => {
      this.pending -= 1;
      this.parts.exchanges.end(record);
    });
    this.#handle(req, res, record).catch((error: unknown) => {
      // the client went away mid-request, or the sandbox has a bug worth reporting
      if (!res.headersSent && !res.destroyed)
        this.#send(req, res, record, { ...metaError(500, String(error)), close: true });
    });
  }

  /** Applies the fault the request matches, if any, and answers it. */
  async #handle(req: IncomingMessage, res: ServerResponse, record: SandboxRequestRecord): Promise<void> {
    const fault = this.parts.faults.take(record.method, record.path);
    switch (fault?.kind) {
      case 'hang':
        req.resume(); // NOTE: discards the body as it comes; the request is never answered
        return;
      case 'status':
        return this.#send(req, res, record, fault.reply);
      case 'reset':
        if (fault.afterProcessing) break;
        req.socket.destroy();
        return;
      case 'delay':
        try {
          await sleep(fault.ms, undefined, { signal: this.#closed.signal });
        } catch {
          return; // closed while waiting: the socket is gone
        }
    }
    const reply = await this.#process(req, res, record);
    if (fault?.kind === 'reset') req.socket.destroy();
    else this.#send(req, res, record, reply);
  }

  /** Routes and authenticates the request, then reads its body within the route's limit and applies it. */
  async #process(req: IncomingMessage, res: ServerResponse, record: SandboxRequestRecord): Promise<Reply> {
    const route = resolveRoute(this.parts.state, this.parts.records, record.method, req.url ?? '/');
    if ('status' in route) return route;
    if (route.credentials !== 'none' && req.headers.authorization !== this.parts.authorization[route.credentials])
      return UNAUTHORIZED;
    const expectsContinue = /100-continue/i.test(req.headers.expect ?? '');
    const { body, bytes } = await readBody(req, route.maxBodyBytes, () => expectsContinue && res.writeContinue());
    record.bytes = bytes;
    if (body) this.parts.exchanges.requestBody(record, body);
    return route.apply(body, bytes, req.headers);
  }

  #send(req: IncomingMessage, res: ServerResponse, record: SandboxRequestRecord, reply: Reply): void {
    record.status = reply.status;
    this.parts.exchanges.answered(record, reply);
    if (reply.close) this.#linger(req, res);
    sendReply(res, reply);
  }

  /**
   * Discards what is left of the request's body, unbuffered, until the client closes the connection
   * or for {@link LINGER_MS} after the answer, then destroys the socket. NOTE: a lingering close, as HTTP
   * servers do: a socket destroyed with unread input sends a TCP reset, which can discard the answer
   * before the client has read it.
   */
  #linger(req: IncomingMessage, res: ServerResponse): void {
    const { socket } = req;
    req.resume();
    res.once('finish', () => {
      // Node ends a `Connection: close` socket, then destroys it as soon as the answer is written
      socket.off('finish', socket.destroy);
      const timer = setTimeout(() => socket.destroy(), LINGER_MS);
      socket.once('close', () => clearTimeout(timer));
    });
  }
}
