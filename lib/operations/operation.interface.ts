import type { APIClient, TrackClient } from 'customerio-node';
import type { CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';

// Every operation file checks its input once and returns the wire forms the operation has: an operation with a
// batch form returns an `Operation` (its queued form, and its direct form on demand); one without returns its
// `DirectRequest`. `CustomerIOClient` queues the first kind; `CustomerIODirectClient` sends `direct()` or the request.
// A person's events, on the caller's hot path, also have their queued form alone (`queuedEvent`).

/**
 * An operation's queued JSON: a Pipelines call, a v2 batch operation (or an anonymous event in its `/api/v1/events` envelope), or,
 * for an event, the function writing it from the id the queue gives the operation (see `CustomerIOQueue.enqueue`):
 * that id is the event's `id` unless the caller chose one.
 */
export type QueuedJson = string | ((operationId: string) => string);

/** A call of customerio-node's Track client: the v1 person endpoints, each built by the SDK. */
export interface TrackCall {
  readonly api: 'track';
  readonly call: (client: TrackClient) => Promise<unknown>;
}

/** A call of customerio-node's App client. */
export interface AppCall {
  readonly api: 'app';
  readonly call: (client: APIClient) => Promise<CustomerIOResponseBody>;
}

/** A `POST` of `body`, as JSON, to `path` under the root URL of `api` (`trackUrl`, `appApiUrl`). */
export interface ApiPost<A extends 'track' | 'app'> {
  readonly api: A;
  /** From the API's root: `/api/v1/metrics`, `/unsubscribe/{id}` (Track), `/v1/send/email` (App). */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** One v2 operation, alone, to `POST /api/v2/entity` (where v1 has no form for it). */
export interface EntityPost {
  readonly api: 'entity';
  readonly json: QueuedJson;
}

/** One Pipelines API call, alone, to its own endpoint (`/identify`, `/track`, …, under `pipelinesUrl`'s `/v1`). */
export interface PipelinesPost {
  readonly api: 'pipelines';
  readonly path: string;
  readonly json: QueuedJson;
}

/** A request to the App API: it needs the App API key. */
export type AppRequest = AppCall | ApiPost<'app'>;

/** The one request that sends an operation on its own: the direct client's form of it. */
export type DirectRequest = TrackCall | ApiPost<'track'> | EntityPost | PipelinesPost | AppRequest;

/** The queued form of a checked operation: what `CustomerIOClient` hands the queue. */
export interface QueuedForm {
  /** The queue's ordering key (the person's, or the object's): one key's operations reach Customer.io in order. */
  readonly key: string;
  /** The operation's JSON, or its writer. */
  readonly json: QueuedJson;
}

/** A checked operation that has a batch form, in every wire form it has. */
export interface Operation extends QueuedForm {
  /** The direct form, built on demand (queuing never pays for it). */
  direct(): DirectRequest;
}
