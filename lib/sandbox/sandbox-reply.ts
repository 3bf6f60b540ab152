import type { ServerResponse } from 'node:http';
import type { OperationError } from './sandbox-validation.js';

/** An answer to send: `body` objects go out as JSON, strings as text, `undefined` as nothing (internal). */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** Response body. @default none */
  body?: unknown;
  /** Extra response headers. @default none */
  headers?: Record<string, string>;
  /**
   * Answer with `Connection: close` and leave the rest of the request body unread (the connection
   * closes once the answer is out).
   * @default false
   */
  close?: boolean;
}

/** `200 {}`. */
export const OK: Reply = { status: 200, body: {} };
/** `404 {"meta":{"error":"Not found"}}`. */
export const NOT_FOUND: Reply = { status: 404, body: { meta: { error: 'Not found' } } };
/** A status with Customer.io's v1 error body `{"meta":{"error":...}}`. */
export const metaError = (status: number, error: string): Reply => ({ status, body: { meta: { error } } });
/** A v1 answer: `200 {}`, or `400 {"meta":{"errors":[message]}}`. */
export const v1Reply = (error: OperationError | undefined): Reply =>
  error ? { status: 400, body: { meta: { errors: [error.message] } } } : OK;
/** 413 for a body over `limit` bytes; the connection closes without reading the rest. */
export const tooLarge = (limit: number): Reply => ({
  status: 413,
  body: { errors: [{ reason: 'request_too_large', message: `request is larger than ${limit} bytes` }] },
  close: true,
});

/** Parses a request body; an empty body is `{}`. Returns `undefined` for invalid JSON. */
export function parseJson(body: Buffer): { value: unknown } | undefined {
  try {
    return { value: body.length === 0 ? {} : JSON.parse(body.toString('utf8')) };
  } catch {
    return undefined;
  }
}

/** The headers and payload `reply` goes out with (internal): what {@link sendReply} writes. */
export function encodeReply(reply: Reply): { headers: Record<string, string>; payload?: string } {
  const headers: Record<string, string> = { ...(reply.close && { Connection: 'close' }), ...reply.headers };
  if (reply.body === undefined) return { headers };
  const text = typeof reply.body === 'string';
  const payload = text ? (reply.body as string) : JSON.stringify(reply.body);
  return {
    headers: {
      'Content-Type': text ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': String(Buffer.byteLength(payload)),
      ...headers,
    },
    payload,
  };
}

/** Writes `reply` to `res`. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const { headers, payload } = encodeReply(reply);
  res.writeHead(reply.status, headers).end(payload);
}

/** The body as a JSON object, or the 400 to answer when it is not one (v1 and App API bodies). */
export function jsonObject(body: Buffer): { value: Record<string, unknown> } | Reply {
  const parsed = parseJson(body);
  if (!parsed) return metaError(400, 'invalid JSON');
  const { value } = parsed;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return metaError(400, 'request body must be a JSON object');
  return { value: value as Record<string, unknown> };
}
