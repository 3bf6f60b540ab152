import { NOT_JSON, REDIRECT_NOT_FOLLOWED } from '../errors/customerio.messages.js';
import {
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOTimeoutError,
} from '../errors/customerio.errors.js';
import type { HttpAnswer } from './http.transport.js';
import { parseRetryAfter } from './retry-after.js';

/** Parsed JSON body of a Customer.io answer. */
export type CustomerIOResponseBody = Record<string, unknown>;

/**
 * Statuses worth sending again: the server may answer differently later. 425 (Too Early) says the
 * server did not process the request, and a later attempt may be accepted (RFC 8470).
 */
const RETRYABLE_STATUS = (status: number): boolean =>
  status === 408 || status === 425 || status === 429 || status >= 500;

/**
 * What an answer means: the body of a 2xx, or the {@link CustomerIOError} for any other status. A 3xx is
 * a non-retryable {@link CustomerIOHttpError} naming the Location's host (never its path or query).
 */
export function readAnswer({ status, headers, body }: HttpAnswer, uri: string): CustomerIOResponseBody {
  if (status >= 300 && status < 400) {
    throw new CustomerIOHttpError(REDIRECT_NOT_FOLLOWED(status, locationHost(headers.location, uri)), { status });
  }
  const json = parseJson(body);
  const success = status >= 200 && status < 300;
  if (json === undefined) {
    // NOTE: a body that is not JSON comes from a proxy or load balancer (a gateway error page), not from
    // Customer.io; a 2xx of that kind is passing too, so it is retried.
    const message = NOT_JSON(status, body.trim().slice(0, 200));
    if (success) throw new CustomerIOError(message, { retryable: true });
    throw new CustomerIOHttpError(message, { status, retryable: RETRYABLE_STATUS(status) });
  }
  if (success) return json;
  const errors = errorMessages(json);
  throw new CustomerIOHttpError(`Customer.io answered ${status}: ${errors.length ? errors.join('; ') : 'no details'}`, {
    status,
    retryable: RETRYABLE_STATUS(status),
    retryAfterMs: parseRetryAfter(headers['retry-after']),
    errors,
  });
}

/** Maps what the transport rejected with (a socket error, the deadline) to the {@link CustomerIOError} family. */
export function failureError(error: unknown, timeoutMs: number): CustomerIOError {
  if (error instanceof CustomerIOError) return error;
  const failure = (error ?? {}) as { name?: string; message?: string; code?: string };
  if (failure.name === 'TimeoutError') return new CustomerIOTimeoutError(timeoutMs);
  if (failure.code) {
    const code = failure.code === 'EPIPE' ? 'ECONNRESET' : failure.code;
    return new CustomerIONetworkError(`Could not reach Customer.io (${code})`, code);
  }
  return new CustomerIOError(`Customer.io call failed: ${failure.message ?? String(error)}`);
}

/** `host[:port]` of a Location, resolved against the request's URL; undefined when absent or unreadable. */
function locationHost(location: string | undefined, uri: string): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, uri).host || undefined;
  } catch {
    return undefined;
  }
}

/** The body as an object: `{}` when empty or not an object; undefined when it is not JSON. */
function parseJson(body: string): CustomerIOResponseBody | undefined {
  if (!body.trim()) return {};
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === 'object' && json !== null ? (json as CustomerIOResponseBody) : {};
  } catch {
    return undefined;
  }
}

/** Customer.io's messages from either error shape: v1 `{meta:{error|errors}}` or v2 `{errors:[{message}]}`. */
function errorMessages(json: CustomerIOResponseBody): string[] {
  const { meta, errors } = json as {
    meta?: { error?: string; errors?: string[] };
    errors?: { message?: string; reason?: string }[];
  };
  if (meta?.error) return [meta.error];
  if (Array.isArray(meta?.errors)) return meta.errors.map(String);
  if (Array.isArray(errors)) return errors.map((e) => e.message ?? e.reason ?? JSON.stringify(e));
  return [];
}
