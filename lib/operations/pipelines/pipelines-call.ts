import { CustomerIOValidationError } from '../../errors/customerio.errors.js';
import { INVALID_VALUE } from '../../errors/customerio.messages.js';
import { checkPersonId } from '../../validation/input.checks.js';
import type { DirectRequest, Operation, QueuedJson } from '../operation.interface.js';

// Customer.io Pipelines API calls (`POST /v1/batch`, `/v1/identify`, …), written as JSON strings from input already
// checked, like the Track API's person operations (see person-operation.ts). Every call's `messageId` is its
// operation's id (an event's own `id` when the caller chose one): the same on every retry, so Customer.io keeps one.

/** The kinds of Pipelines call, each its own endpoint. */
export type PipelinesCallType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

/** Who a call is about, as the members of its JSON: `,"userId":"…"` or `,"anonymousId":"…"`. */
export type PipelinesSubject = string;

/**
 * Checks a person for a Pipelines call (`field` names it in errors) and returns their `userId`: the Pipelines API
 * identifies people by one id, so a plain value or `{ id }`; an `{ email }`, `{ phone }` or `{ cio_id }` is refused.
 */
export function pipelinesUserId(personId: unknown, field = 'personId'): string {
  if (typeof personId !== 'object' || personId === null) return checkPersonId(personId, field);
  const entries = Object.entries(personId);
  if (entries.length === 1 && entries[0][0] === 'id') return checkPersonId(entries[0][1], `${field}.id`);
  const expected = 'a plain id or { id } (the Pipelines API identifies people by userId)';
  throw new CustomerIOValidationError(field, expected, INVALID_VALUE(field, expected, personId));
}

/** `,"userId":…` of a person's call. */
export function userSubject(userId: string): PipelinesSubject {
  return `,"userId":${JSON.stringify(userId)}`;
}

/** The last time {@link timestampMember} wrote, and how. */
const lastTimestamp = { seconds: NaN, member: '' };

/** A call's `timestamp` member, from unix seconds: ISO-8601, as Pipelines takes it. */
function timestampMember(seconds: number): string {
  // NOTE: most calls are of the current second: the last one written is kept (a Date and its ISO form cost ~0.5 µs).
  if (seconds !== lastTimestamp.seconds) {
    lastTimestamp.member = `,"timestamp":"${new Date(seconds * 1000).toISOString()}"`;
    lastTimestamp.seconds = seconds;
  }
  return lastTimestamp.member;
}

/** How a call of each type begins (see `queuedRoute`). */
const CALL_HEAD = {
  identify: '{"type":"identify"',
  track: '{"type":"track"',
  page: '{"type":"page"',
  screen: '{"type":"screen"',
  group: '{"type":"group"',
  alias: '{"type":"alias"',
} as const satisfies Record<PipelinesCallType, string>;

/**
 * The writer of a call: `{"type":…` first (see `queuedRoute`), who it is about, its own members (`body`: `,"a":…`),
 * its `timestamp` when given, and its `messageId`: `id` if the caller chose one, else the operation's id.
 */
export function pipelinesJson(
  type: PipelinesCallType,
  subject: PipelinesSubject,
  body: string,
  timestamp?: number,
  id?: string,
): QueuedJson {
  const head = `${CALL_HEAD[type]}${subject}${body}${timestamp === undefined ? '' : timestampMember(timestamp)}`;
  if (id !== undefined) return `${head},"messageId":${JSON.stringify(id)}}`;
  // NOTE: an operation id is a ULID, with nothing to escape.
  return (operationId) => `${head},"messageId":"${operationId}"}`;
}

/**
 * A call keyed by `key`: queued as it is, and sent alone to its own endpoint directly. NOTE: a class, so that the
 * caller's hot path (`client.track`) allocates no `direct` closure per call.
 */
class PipelinesOperation implements Operation {
  constructor(
    readonly key: string,
    private readonly type: PipelinesCallType,
    readonly json: QueuedJson,
  ) {}

  direct(): DirectRequest {
    return { api: 'pipelines', path: `/${this.type}`, json: this.json };
  }
}

/** A call keyed by `key`, in both its forms (see {@link PipelinesOperation}). */
export function pipelinesOperation(key: string, type: PipelinesCallType, json: QueuedJson): Operation {
  return new PipelinesOperation(key, type, json);
}
