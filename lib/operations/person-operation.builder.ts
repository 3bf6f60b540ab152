import type { ValidEvent } from './customerio-payloads.js';
import { identifiersJson, personKey, type ResolvedPerson } from './person-identifier.js';

// Customer.io v2 batch operations (`POST /api/v2/batch`), built from input already checked.
// NOTE: operations are written as JSON strings, around the event data's JSON that the checks already
// produced: enqueueing is on the caller's hot path, and serializing the data twice doubled its cost.

/** A v2 operation as JSON, and the ordering key of the person it is about. */
export interface PersonOperation {
  readonly key: string;
  /**
   * The operation as JSON, or, for an event, the function writing it from the id the queue gives the operation
   * (see `CustomerIOQueue.enqueue`): that id is the event's `id` unless the caller chose one.
   */
  readonly json: string | ((operationId: string) => string);
}

/** `fields` as the members of a JSON object (`,"a":1,"b":2`), or nothing. */
function members(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** An operation about one person, keyed for ordering by that person. */
export function personOperation(
  person: ResolvedPerson,
  action: string,
  fields: Record<string, unknown> = {},
): PersonOperation {
  return {
    key: personKey(person),
    json: `{"type":"person","identifiers":${identifiersJson(person)},"action":"${action}"${members(fields)}}`,
  };
}

/** An `event`, `page` or `screen` of a person, with its timestamp (the time of the call by default), so a late batch keeps event times. */
export function eventOperation(
  person: ResolvedPerson,
  action: 'event' | 'page' | 'screen',
  event: ValidEvent,
): PersonOperation {
  const head = `{"type":"person","identifiers":${identifiersJson(person)},"action":"${action}"`;
  return { key: personKey(person), json: (operationId) => `${head}${eventMembers(event, operationId, 'attributes')}}` };
}

/**
 * An event of someone not identified yet, keyed for ordering by their anonymous id. The v2 batch has no
 * form for it (its `identifiers` are one of id, email, phone, cio_id), so it is queued as the body of
 * `POST /api/v1/events`, wrapped in {@link V1_EVENTS_ENVELOPE}; the batch sender sends it there.
 */
export function anonymousEventOperation(anonymousId: string, event: ValidEvent): PersonOperation {
  const head = `${V1_EVENTS_ENVELOPE}{"anonymous_id":${JSON.stringify(anonymousId)}`;
  return { key: anonymousId, json: (operationId) => `${head}${eventMembers(event, operationId, 'data')}}}` };
}

/** How a queued operation bound for `POST /api/v1/events` begins: `{"v1":"events","body":` then the body, then `}`. */
export const V1_EVENTS_ENVELOPE = '{"v1":"events","body":';

/** The `/api/v1/events` body of a queued operation, or `undefined` for a v2 operation. */
export function v1EventsBody(json: string): string | undefined {
  return json.startsWith(V1_EVENTS_ENVELOPE) ? json.slice(V1_EVENTS_ENVELOPE.length, -1) : undefined;
}

/** A merge of `secondary` into `primary`, keyed by the primary person. */
export function mergeOperation(primary: ResolvedPerson, secondary: ResolvedPerson): PersonOperation {
  const fields = { primary: { [primary.type]: primary.value }, secondary: { [secondary.type]: secondary.value } };
  return { key: personKey(primary), json: `{"type":"person","action":"merge"${members(fields)}}` };
}

/** The event's members: its `id` is the caller's, if they chose one, else the operation's; its data goes in `dataField`. */
function eventMembers(
  { id, name, dataJson, timestamp }: ValidEvent,
  operationId: string,
  dataField: 'attributes' | 'data',
): string {
  return `,"id":${JSON.stringify(id ?? operationId)},"name":${JSON.stringify(name)},"timestamp":${timestamp}${dataJson ? `,"${dataField}":${dataJson}` : ''}`;
}
