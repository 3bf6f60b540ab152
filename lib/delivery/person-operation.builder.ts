import type { ValidEvent } from '../client/customerio-payloads.js';

// Customer.io v2 batch operations (`POST /api/v2/batch`), built from input already checked.

/** A v2 operation and the ordering key of the person it is about. */
export interface PersonOperation {
  readonly key: string;
  readonly operation: Record<string, unknown>;
}

/** `cio_<id>` addresses a person by Customer.io's own id; anything else is your id. */
function identifiers(personId: string): Record<string, string> {
  return personId.startsWith('cio_') ? { cio_id: personId.slice(4) } : { id: personId };
}

/** An operation about one person, keyed for ordering by that person. */
export function personOperation(personId: string, action: string, fields: Record<string, unknown> = {}): PersonOperation {
  return { key: `p:${personId}`, operation: { type: 'person', identifiers: identifiers(personId), action, ...fields } };
}

/** The fields of an `event`, `page` or `screen` operation; `timestamp` defaults to now so a late batch keeps event times. */
export function eventFields(event: ValidEvent, id: string): Record<string, unknown> {
  return {
    id,
    name: event.name,
    timestamp: event.timestamp ?? Math.floor(Date.now() / 1000),
    ...(event.data !== undefined && { attributes: event.data }),
  };
}

/** An event of someone not identified yet, keyed for ordering by their anonymous id. */
export function anonymousEventOperation(anonymousId: string, event: ValidEvent, id: string): PersonOperation {
  return {
    key: `a:${anonymousId}`,
    operation: { type: 'person', action: 'event', anonymous_id: anonymousId, ...eventFields(event, id) },
  };
}

/** A merge of `secondary` into `primary`, keyed by the primary person. */
export function mergeOperation(primary: [string, string], secondary: [string, string]): PersonOperation {
  return {
    key: `p:${primary[1]}`,
    operation: { type: 'person', action: 'merge', primary: { [primary[0]]: primary[1] }, secondary: { [secondary[0]]: secondary[1] } },
  };
}
