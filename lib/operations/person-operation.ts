import type { TrackClient } from 'customerio-node';
import type { DirectRequest, Operation, QueuedJson } from './operation.interface.js';
import { personKey, type ResolvedPerson, v1PathId } from './person-identifier.js';

// Customer.io v2 person operations (`POST /api/v2/batch`, `/api/v2/entity`), written from input already checked.
// NOTE: operations are written as JSON strings (around the event data's JSON that the checks already produced, for
// events): enqueueing is on the caller's hot path, and serializing the data twice doubled its cost.

/** A person operation's v1 call, given the person as v1 reads it in its path (see {@link v1PathId}). */
export type V1PersonCall = (client: TrackClient, id: string) => Promise<unknown>;

/** `fields` as the members of a JSON object (`,"a":1,"b":2`), or nothing. */
export function members(fields: Record<string, unknown>): string {
  const json = JSON.stringify(fields);
  return json.length > 2 ? `,${json.slice(1, -1)}` : '';
}

/** How a v2 operation about `person` begins: `{"type":"person","identifiers":{…},"action":"…"` (no closing brace). */
export function personHead({ type, value }: ResolvedPerson, action: string): string {
  return `{"type":"person","identifiers":{"${type}":${JSON.stringify(value)}},"action":"${action}"`;
}

/**
 * A person operation's direct form: its v1 call when there is one and Customer.io's v1 reads the person as given
 * (see {@link v1PathId}), else its v2 form alone, to `/api/v2/entity`.
 */
export function personRequest(person: ResolvedPerson, json: QueuedJson, v1?: V1PersonCall): DirectRequest {
  const id = v1 && v1PathId(person);
  if (v1 && id !== undefined) return { api: 'track', call: (client) => v1(client, id) };
  return { api: 'entity', json };
}

/** An operation about one person, keyed by that person; `v1` is its v1 call, if v1 has one. */
export function personOperation(
  person: ResolvedPerson,
  action: string,
  fields: Record<string, unknown> = {},
  v1?: V1PersonCall,
): Operation {
  const json = `${personHead(person, action)}${members(fields)}}`;
  return { key: personKey(person), json, direct: () => personRequest(person, json, v1) };
}
