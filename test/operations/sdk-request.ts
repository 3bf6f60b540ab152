import cio from 'customerio-node';
import type { APIClient, TrackClient } from 'customerio-node';
import { expect } from '@jest/globals';
import { CustomerIOValidationError } from '../../lib/index.js';
import type { DirectRequest, QueuedForm } from '../../lib/operations/operation.interface.js';

/** The Track API's root URL the SDK clients here are given (as the module gives them `${trackUrl}/api/v1`). */
export const TRACK_URL = 'https://track.example.test';
const APP_URL = 'https://api.example.test';

/** An HTTP request as customerio-node built it: method, URL and parsed JSON body. */
export interface BuiltRequest {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
}

/**
 * The request a `TrackCall` or `AppCall` makes, built by the installed customerio-node (4.x or 5.x) and recorded
 * instead of sent: its `request.handler` is replaced, as the module's SDK adapter replaces it to send.
 */
export async function builtBy(request: DirectRequest): Promise<BuiltRequest> {
  let built: BuiltRequest | undefined;
  const record = (options: { method: string; uri: string; body?: string | null }) => {
    built = { method: options.method, url: options.uri, body: options.body ? JSON.parse(options.body) : undefined };
    return Promise.resolve({});
  };
  if (request.api === 'track' && 'call' in request) {
    const client: TrackClient = new cio.TrackClient('site', 'key', { url: `${TRACK_URL}/api/v1` });
    client.request.handler = record as TrackClient['request']['handler'];
    await request.call(client);
  } else if (request.api === 'app' && 'call' in request) {
    const client: APIClient = new cio.APIClient('app-key', { url: `${APP_URL}/v1` });
    client.request.handler = record as APIClient['request']['handler'];
    await request.call(client);
  } else {
    throw new Error(`not an SDK call: ${JSON.stringify(request)}`);
  }
  if (!built) throw new Error('the SDK call made no request');
  return built;
}

/** The queued form of `operation` as an object, written with `operationId` when it takes one. */
export function queued(operation: QueuedForm, operationId = 'op-1'): unknown {
  return JSON.parse(typeof operation.json === 'string' ? operation.json : operation.json(operationId));
}

/** The `/api/v2/entity` body `request` carries (it must be an entity post), written with `operationId`. */
export function entityBody(request: DirectRequest, operationId = 'op-1'): unknown {
  if (request.api !== 'entity') throw new Error(`not an entity post: ${request.api}`);
  return JSON.parse(typeof request.json === 'string' ? request.json : request.json(operationId));
}

/** The validation error `build` throws, checked to be one. */
export function refusal(build: () => unknown): CustomerIOValidationError {
  let error: unknown;
  try {
    build();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(CustomerIOValidationError);
  return error as CustomerIOValidationError;
}
