import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { encodeReply, type Reply } from './sandbox-reply.js';
import type { SandboxRequestRecord } from './sandbox-records.interface.js';

/** Most bytes of a request or response body kept for the inspector: 64 KiB. */
export const EXCHANGE_BODY_BYTES = 64 * 1024;
/** How many of the latest requests keep their bodies (older ones keep the rest of their detail). */
export const EXCHANGE_BODIES_KEPT = 500;
/** Headers whose values are credentials: kept as their scheme and `****`. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** A body as kept: its text, at most {@link EXCHANGE_BODY_BYTES} of it. */
export interface ExchangeBody {
  /** The body's UTF-8 text, cut at {@link EXCHANGE_BODY_BYTES}. */
  text: string;
  /** Whether the body was longer than what `text` holds. */
  truncated: boolean;
}

/** One request and its answer, as the inspector shows them (internal); never holds a credential. */
export interface SandboxExchange {
  /** Sequence number since start, never reused (a reset does not restart it). */
  id: number;
  /** The request as recorded in `requests`. */
  record: SandboxRequestRecord;
  /** The query string, without `?` (`''` when none). */
  query: string;
  /** Request headers, credentials masked (`Basic ****`). */
  requestHeaders: Record<string, string>;
  /** Request body as read; absent when the sandbox answered without reading it, or its body was forgotten. */
  requestBody?: ExchangeBody;
  /** Response headers, once answered. */
  responseHeaders?: Record<string, string>;
  /** Response body, once answered with one. */
  responseBody?: ExchangeBody;
  /** Milliseconds from arrival to the end of the answer (or of the connection); absent while open. */
  durationMs?: number;
  /** `performance.now()` at arrival. */
  startedAt: number;
}

/** `value` without credentials: an auth scheme keeps its name (`Bearer ****`), anything else is `****`. */
export const maskSecret = (value: string): string => {
  const scheme = /^([A-Za-z][\w-]*)\s/.exec(value)?.[1];
  return scheme ? `${scheme} ****` : '****';
};

const keptBody = (body: Buffer | string): ExchangeBody => {
  const buffer = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    text: buffer.subarray(0, EXCHANGE_BODY_BYTES).toString('utf8'),
    truncated: buffer.length > EXCHANGE_BODY_BYTES,
  };
};

/**
 * The detail of each recorded request for the inspector (internal): kept beside its `requests` entry, so it is
 * bounded by `maxRecords` like it; bodies only for the last {@link EXCHANGE_BODIES_KEPT}. Credentials are masked
 * as the request arrives and never stored.
 */
export class SandboxExchanges {
  readonly #byRecord = new WeakMap<SandboxRequestRecord, SandboxExchange>();
  readonly #withBodies: SandboxExchange[] = [];
  #nextId = 1;

  /** @param ended called once a request is answered or its connection closes */
  constructor(private readonly ended: (exchange: SandboxExchange) => void) {}

  /** Starts the detail of `record`, from the request's URL and headers. */
  begin(record: SandboxRequestRecord, url: string, headers: IncomingHttpHeaders): void {
    const requestHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(', ') : value;
      requestHeaders[name] = SECRET_HEADERS.has(name) ? maskSecret(text) : text;
    }
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const exchange: SandboxExchange = {
      id: this.#nextId++,
      record,
      query,
      requestHeaders,
      startedAt: performance.now(),
    };
    this.#byRecord.set(record, exchange);
    this.#withBodies.push(exchange);
    const forgotten = this.#withBodies.length > EXCHANGE_BODIES_KEPT ? this.#withBodies.shift() : undefined;
    if (forgotten) {
      delete forgotten.requestBody;
      delete forgotten.responseBody;
    }
  }

  /** Keeps the body read for `record`. */
  requestBody(record: SandboxRequestRecord, body: Buffer): void {
    const exchange = this.#byRecord.get(record);
    if (exchange && this.#withBodies.includes(exchange)) exchange.requestBody = keptBody(body);
  }

  /** Keeps the answer sent for `record`. */
  answered(record: SandboxRequestRecord, reply: Reply): void {
    const exchange = this.#byRecord.get(record);
    if (!exchange) return;
    const { headers, payload } = encodeReply(reply);
    exchange.responseHeaders = headers;
    if (payload !== undefined && this.#withBodies.includes(exchange)) exchange.responseBody = keptBody(payload);
  }

  /** Ends the detail of `record`: its duration, then tells {@link ended}. */
  end(record: SandboxRequestRecord): void {
    const exchange = this.#byRecord.get(record);
    if (!exchange) return;
    exchange.durationMs = Math.round((performance.now() - exchange.startedAt) * 10) / 10;
    this.ended(exchange);
  }

  /** Forgets the bodies kept (the requests they belong to are being forgotten). */
  reset(): void {
    this.#withBodies.length = 0;
  }

  /** The detail of `record`. */
  of(record: SandboxRequestRecord): SandboxExchange | undefined {
    return this.#byRecord.get(record);
  }
}
