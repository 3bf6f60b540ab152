import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import cio from 'customerio-node';
import type { APIClient, TrackClient } from 'customerio-node';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import {
  abortedError,
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOTimeoutError,
} from './customerio.errors.js';

/** Parsed JSON body of a Customer.io answer. */
export type CustomerIOResponseBody = Record<string, unknown>;

/** Statuses worth sending again: the server may answer differently later. */
const RETRYABLE_STATUS = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** undici (customerio-node 5.x) names for what Node's `http` (4.x) reports as ECONNRESET. */
const RESET_CODES = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNRESET', 'EPIPE']);

/**
 * The one place that makes customerio-node 4.4+ and 5.x behave alike: every call gets a
 * deadline and releases its socket when it passes, 5.x's own retries are off (retrying is the
 * module's job), any 2xx is success, and every failure becomes a {@link CustomerIOError}.
 */
@Injectable()
export class CustomerIOSdkAdapter implements OnApplicationShutdown {
  readonly #options: ResolvedCustomerIOOptions;
  readonly #agents: http.Agent[] = [];
  readonly #trackDefaults: Record<string, unknown>;
  readonly #appDefaults: Record<string, unknown>;

  constructor(@Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions) {
    this.#options = options;
    this.#trackDefaults = this.#transportDefaults(`${options.trackUrl}/api/v1`);
    this.#appDefaults = this.#transportDefaults(`${options.appApiUrl}/v1`);
  }

  /** Runs one Track API call; `signal` aborts it early, and it then fails with `signal`'s reason (see `abortedError`). */
  track<T>(call: (client: TrackClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { siteId, apiKey } = this.#options;
    return this.#run(this.#trackDefaults, (defaults) => new cio.TrackClient(siteId, apiKey.reveal(), defaults), call, signal);
  }

  /** Runs one App API call; the caller has checked that an App API key is configured. */
  app<T>(call: (client: APIClient) => Promise<T>): Promise<T> {
    const appApiKey = this.#options.appApiKey!;
    return this.#run(this.#appDefaults, (defaults) => new cio.APIClient(appApiKey.reveal(), defaults), call);
  }

  /** POSTs a body, already serialized as JSON, to a Track API v2 endpoint (`batch`, `entity`). */
  postV2(endpoint: 'batch' | 'entity', json: string | Buffer, signal?: AbortSignal): Promise<CustomerIOResponseBody> {
    const url = `${this.#options.trackUrl}/api/v2/${endpoint}`;
    return this.track(({ request }) => {
      // NOTE: the queue holds operations as JSON; sending that JSON as it is spares a parse and a
      // stringify of every batch. `options()` gives the SDK's own auth and headers on both majors.
      const { headers, ...options } = request.options(url, 'POST');
      const body = json as string; // NOTE: both SDK majors hand the body to the transport as is; a Buffer is fine there.
      return request.handler({ ...options, headers: { ...headers, 'Content-Length': Buffer.byteLength(json) }, body });
    }, signal);
  }

  onApplicationShutdown(): void {
    for (const agent of this.#agents) agent.destroy();
  }

  async #run<C, T>(
    defaults: Record<string, unknown>,
    create: (defaults: Record<string, unknown>) => C,
    call: (client: C) => Promise<T>,
    cancel?: AbortSignal,
  ): Promise<T> {
    // NOTE: a client per call is cheap (no I/O) and is how 4.x gets a per-request AbortSignal:
    // 4.x passes its defaults straight to https.request and has no deadline of its own.
    // 5.x overrides `signal` with its own AbortSignal.timeout(timeout) and so honours the same deadline.
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
    try {
      return await call(create({ ...defaults, signal }));
    } catch (error) {
      const success = successBody(error);
      if (success) return success as T;
      if (cancel?.aborted) throw abortedError(cancel);
      throw toCustomerIOError(error, this.#options.timeoutMs);
    }
  }

  #transportDefaults(url: string): Record<string, unknown> {
    const { protocol, port } = new URL(url);
    const secure = protocol === 'https:';
    const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.#agents.push(agent);
    // 4.x reads only the hostname and path of `url` and takes protocol, port and agent from here;
    // 5.x reads `url`, `timeout` and `retry`, and ignores the rest.
    return {
      url,
      protocol,
      port: port ? Number(port) : secure ? 443 : 80,
      agent,
      timeout: this.#options.timeoutMs,
      retry: { maxRetries: 0 },
    };
  }
}

interface SdkFailure {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  body?: string;
  response?: { headers?: Record<string, string | string[] | undefined> };
  cause?: { code?: string; name?: string };
}

/** 4.x rejects 2xx answers other than 200/201: those are successes. */
function successBody(error: unknown): CustomerIOResponseBody | undefined {
  const failure = error as SdkFailure | undefined;
  if (failure?.name !== 'CustomerIORequestError' || !failure.statusCode) return undefined;
  if (failure.statusCode < 200 || failure.statusCode >= 300) return undefined;
  return failure.body ? (JSON.parse(failure.body) as CustomerIOResponseBody) : {};
}

/** Maps whatever either SDK version threw to the {@link CustomerIOError} family. */
export function toCustomerIOError(error: unknown, timeoutMs: number): CustomerIOError {
  if (error instanceof CustomerIOError) return error;
  const failure = (error ?? {}) as SdkFailure;
  if (failure.name === 'CustomerIORequestError' && typeof failure.statusCode === 'number') {
    return httpError(failure.statusCode, failure);
  }
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError' || failure.cause?.name === 'TimeoutError') {
    return new CustomerIOTimeoutError(timeoutMs);
  }
  const rawCode = failure.code ?? failure.cause?.code;
  if (rawCode || (error instanceof TypeError && failure.message === 'fetch failed')) {
    const code = rawCode && RESET_CODES.has(rawCode) ? 'ECONNRESET' : rawCode;
    return new CustomerIONetworkError(`Could not reach Customer.io (${code ?? 'network error'})`, code);
  }
  if (failure.message?.startsWith('Unable to parse JSON')) {
    // NOTE: both SDK versions drop the status when a body is not JSON; that is a proxy or
    // load balancer answering (a gateway error page), so it is treated as passing.
    const body = failure.message.split('Body:\n')[1]?.trim().slice(0, 200) ?? '';
    return new CustomerIOError(`Customer.io answered with a body that is not JSON: ${body}`, { retryable: true });
  }
  return new CustomerIOError(`Customer.io call failed: ${failure.message ?? String(error)}`);
}

function httpError(status: number, failure: SdkFailure): CustomerIOHttpError {
  const errors = errorMessages(failure.body);
  const detail = errors.length ? errors.join('; ') : 'no details';
  return new CustomerIOHttpError(`Customer.io answered ${status}: ${detail}`, {
    status,
    retryable: RETRYABLE_STATUS(status),
    retryAfterMs: parseRetryAfter(failure.response?.headers?.['retry-after']),
    errors,
  });
}

/** Customer.io's messages from either error shape: v1 `{meta:{error|errors}}` or v2 `{errors:[{message}]}`. */
function errorMessages(body: string | undefined): string[] {
  if (!body) return [];
  try {
    const json = JSON.parse(body) as {
      meta?: { error?: string; errors?: string[] };
      errors?: { message?: string; reason?: string }[];
    };
    if (json.meta?.error) return [json.meta.error];
    if (Array.isArray(json.meta?.errors)) return json.meta.errors.map(String);
    if (Array.isArray(json.errors)) return json.errors.map((e) => e.message ?? e.reason ?? JSON.stringify(e));
  } catch {
    // a body that is not JSON carries no messages of Customer.io's
  }
  return [];
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
