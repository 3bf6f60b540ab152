import { CUSTOMERIO_LIMITS } from '../../customerio.constants.js';
import type { SandboxEvent } from './sandbox.interface.js';

/** Why the sandbox refused a request or a v2 operation (internal). */
export interface OperationError {
  /** Machine-readable reason: `invalid`, `unsupported`, `too_large`. */
  reason: string;
  /** The offending field, when one is to blame. */
  field?: string;
  /** Human-readable explanation. */
  message: string;
}

/** An event about to be recorded, before validation (internal). */
export interface EventInput {
  /** Identifier of the person the event is about (absent for anonymous events). */
  personId?: string;
  /** `anonymous_id` (v1 body, or a v2 operation without identifiers), as sent. */
  anonymousId?: unknown;
  /** Event name, as sent. */
  name: unknown;
  /** Kind of event. */
  type: SandboxEvent['type'];
  /** Event data (v1 `data`, v2 `attributes`), as sent. */
  data: unknown;
  /** `timestamp`, as sent. */
  timestamp: unknown;
  /** Deduplication `id`, as sent. */
  id: unknown;
  /** Track API version the event came through. */
  api: SandboxEvent['api'];
}

/** A JSON object. */
export type Json = Record<string, unknown>;

/** The v2 person actions the sandbox applies. */
export const V2_ACTIONS = new Set([
  'identify',
  'delete',
  'event',
  'page',
  'screen',
  'add_device',
  'delete_device',
  'merge',
  'suppress',
  'unsuppress',
]);

/** UTF-8 length of `value`. */
export const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
/** An {@link OperationError} blaming `field`. */
export const fail = (field: string | undefined, message: string, reason = 'invalid'): OperationError =>
  field === undefined ? { reason, message } : { reason, field, message };

/** Whether `value` is a plain JSON object (not null, not an array). */
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a person identifier against Customer.io's rules; returns the error, if any. */
export function checkPersonId(id: string, field = 'id'): OperationError | undefined {
  if (id.trim() === '') return fail(field, 'person identifier is blank');
  if (bytes(id) > CUSTOMERIO_LIMITS.personIdBytes) {
    return fail(field, `person identifier is longer than ${CUSTOMERIO_LIMITS.personIdBytes} bytes`);
  }
  return undefined;
}

/** Checks a set of person attributes against Customer.io's limits. */
export function checkAttributes(attributes: Json, field: string): OperationError | undefined {
  const names = Object.keys(attributes).filter((name) => !name.startsWith('_'));
  if (names.length > CUSTOMERIO_LIMITS.attributeCount) {
    return fail(field, `more than ${CUSTOMERIO_LIMITS.attributeCount} attributes`);
  }
  for (const name of names) {
    if (bytes(name) > CUSTOMERIO_LIMITS.attributeNameBytes) {
      return fail(field, `attribute name "${name.slice(0, 20)}…" is longer than ${CUSTOMERIO_LIMITS.attributeNameBytes} bytes`);
    }
    const value = attributes[name];
    const size = typeof value === 'string' ? bytes(value) : bytes(JSON.stringify(value) ?? '');
    if (size > CUSTOMERIO_LIMITS.attributeValueBytes) {
      return fail(`${field}.${name}`, `attribute "${name}" is longer than ${CUSTOMERIO_LIMITS.attributeValueBytes} bytes`);
    }
  }
  return undefined;
}

/** Checks an event against Customer.io's rules and limits. */
export function checkEvent({ personId, name, data, timestamp, id, anonymousId, api }: EventInput): OperationError | undefined {
  const dataField = api === 'v1' ? 'data' : 'attributes';
  if (personId !== undefined) {
    const error = checkPersonId(personId);
    if (error) return error;
  }
  if (typeof name !== 'string' || name.trim() === '') return fail('name', 'event name is required');
  if (bytes(name) > CUSTOMERIO_LIMITS.eventNameBytes) {
    return fail('name', `event name is longer than ${CUSTOMERIO_LIMITS.eventNameBytes} bytes`);
  }
  if (data !== undefined && !isObject(data)) return fail(dataField, `${dataField} must be an object`);
  // NOTE: a v2 operation is at most 32 KB, so its data is within the 100 KB limit: no need to measure it.
  if (api === 'v1' && bytes(JSON.stringify(data ?? {})) > CUSTOMERIO_LIMITS.eventDataBytes) {
    return fail(dataField, `event data is larger than ${CUSTOMERIO_LIMITS.eventDataBytes} bytes`);
  }
  if (timestamp !== undefined && typeof timestamp !== 'number') return fail('timestamp', 'timestamp must be unix seconds');
  if (id !== undefined && typeof id !== 'string') return fail('id', 'id must be a string');
  if (anonymousId !== undefined && typeof anonymousId !== 'string') {
    return fail('anonymous_id', 'anonymous_id must be a string');
  }
  return undefined;
}

/** Maps `{id|email|cio_id|phone: value}` (exactly one key) to the key people are stored under. */
export function identifierKey(identifiers: unknown, field: string): { key: string; pair: Record<string, string> } | OperationError {
  const entries = isObject(identifiers) ? Object.entries(identifiers) : [];
  const [name, value] = entries[0] ?? [];
  if (entries.length !== 1 || !['id', 'email', 'cio_id', 'phone'].includes(name as string)) {
    return fail(field, `${field} must have exactly one of id, email, cio_id, phone`);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return fail(field, `${field}.${name} must be a string`);
  const text = String(value);
  const error = checkPersonId(text, field);
  if (error) return error;
  return { key: name === 'cio_id' ? `cio_${text}` : text, pair: { [name as string]: text } };
}

