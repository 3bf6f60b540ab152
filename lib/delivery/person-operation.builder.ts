import type { ValidEvent } from '../client/customerio-payloads.js';

// Customer.io v2 batch operations (`POST /api/v2/batch`), built from input already checked.
// NOTE: operations are written as JSON strings, around the event data's JSON that the checks already
// produced: enqueueing is on the caller's hot path, and serializing the data twice doubled its cost.

/** A v2 operation as JSON, and the ordering key of the person it is about. */
export interface PersonOperation {
  readonly key: string;
  readonly json: string;
}

/** `cio_<id>` addresses a person by Customer.io's own id; anything else is your id. */
function identifiers(personId: string): string {
  return personId.startsWith('cio_') ? `{"cio_id":${JSON.stringify(personId.slice(4))}}` : `{"id":${JSON.stringify(personId)}}`;
}

/** `fields` as the members of a JSON object (`,"a":1,"b":2`), or nothing. */
function members(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** An operation about one person, keyed for ordering by that person. */
export function personOperation(personId: string, action: string, fields: Record<string, unknown> = {}): PersonOperation {
  return { key: personId, json: `{"type":"person","identifiers":${identifiers(personId)},"action":"${action}"${members(fields)}}` };
}

/** An `event` or `page` of a person, with its timestamp (the time of the call by default), so a late batch keeps event times. */
export function eventOperation(personId: string, action: 'event' | 'page', event: ValidEvent, id: string): PersonOperation {
  return { key: personId, json: `{"type":"person","identifiers":${identifiers(personId)},"action":"${action}"${eventMembers(event, id)}}` };
}

/** An event of someone not identified yet, keyed for ordering by their anonymous id. */
export function anonymousEventOperation(anonymousId: string, event: ValidEvent, id: string): PersonOperation {
  return { key: anonymousId, json: `{"type":"person","action":"event","anonymous_id":${JSON.stringify(anonymousId)}${eventMembers(event, id)}}` };
}

/** A merge of `secondary` into `primary`, keyed by the primary person. */
export function mergeOperation(primary: [string, string], secondary: [string, string]): PersonOperation {
  const fields = { primary: { [primary[0]]: primary[1] }, secondary: { [secondary[0]]: secondary[1] } };
  return { key: primary[1], json: `{"type":"person","action":"merge"${members(fields)}}` };
}

function eventMembers({ name, dataJson, timestamp }: ValidEvent, id: string): string {
  return `,"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"timestamp":${timestamp}${dataJson ? `,"attributes":${dataJson}` : ''}`;
}
