import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type { SandboxEvent } from './sandbox-records.interface.js';

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
  'add_relationships',
  'delete_relationships',
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
      return fail(
        field,
        `attribute name "${name.slice(0, 20)}…" is longer than ${CUSTOMERIO_LIMITS.attributeNameBytes} bytes`,
      );
    }
    const value = attributes[name];
    const size = typeof value === 'string' ? bytes(value) : bytes(JSON.stringify(value) ?? '');
    if (size > CUSTOMERIO_LIMITS.attributeValueBytes) {
      return fail(
        `${field}.${name}`,
        `attribute "${name}" is longer than ${CUSTOMERIO_LIMITS.attributeValueBytes} bytes`,
      );
    }
  }
  return undefined;
}

/** Checks an event against Customer.io's rules and limits; `strict` adds the spec's types (see {@link checkTimestamp}, {@link isUlid}). */
export function checkEvent(
  { personId, name, data, timestamp, id, anonymousId, api }: EventInput,
  strict: boolean,
): OperationError | undefined {
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
  if (strict) {
    const error = checkTimestamp(timestamp, 'timestamp');
    if (error) return error;
    if (id !== undefined && !isUlid(id)) return fail('id', 'id must be a ULID');
  } else if (timestamp !== undefined && typeof timestamp !== 'number')
    return fail('timestamp', 'timestamp must be unix seconds');
  if (id !== undefined && typeof id !== 'string') return fail('id', 'id must be a string');
  if (anonymousId !== undefined && typeof anonymousId !== 'string') {
    return fail('anonymous_id', 'anonymous_id must be a string');
  }
  return undefined;
}

/** Person identifier kinds of a v2 person operation (`person_common.identifiers`: exactly one). */
export const PERSON_IDENTIFIERS: readonly string[] = ['id', 'email', 'phone', 'cio_id'];
/** Person identifier kinds of a merge (`person_merge`, `/api/v1/merge_customers`) and of App API messages: no phone. */
export const MERGE_IDENTIFIERS: readonly string[] = ['id', 'email', 'cio_id'];
/** A phone identifier: E.164, a `+` and up to 15 digits. */
const E164 = /^\+[1-9]\d{0,14}$/;

/**
 * Maps `{kind: value}` (exactly one key, of `allowed`) to the key people are stored under; the value must be
 * a string (`strict`) or a string or a number.
 */
export function identifierKey(
  identifiers: unknown,
  field: string,
  allowed: readonly string[],
  strict: boolean,
): { key: string; pair: Record<string, string> } | OperationError {
  const entries = isObject(identifiers) ? Object.entries(identifiers) : [];
  const [name, value] = entries[0] ?? [];
  if (entries.length !== 1 || !allowed.includes(name as string)) {
    return fail(field, `${field} must have exactly one of ${allowed.join(', ')}`);
  }
  const path = `${field}.${name as string}`;
  if (typeof value !== 'string' && (strict || typeof value !== 'number')) return fail(path, `${path} must be a string`);
  const text = String(value);
  const error = checkPersonId(text, path);
  if (error) return error;
  if (strict && name === 'phone' && !E164.test(text)) return fail(path, `${path} must be an E.164 phone number`);
  return { key: name === 'cio_id' ? `cio_${text}` : text, pair: { [name as string]: text } };
}

/**
 * Largest timestamp the sandbox takes as unix seconds, 9999-12-31T23:59:59Z (the bound the client checks too):
 * past it, a value is milliseconds (a sandbox rule).
 */
export const MAX_UNIX_SECONDS = 253_402_300_799;

/** Checks an optional unix timestamp: an integer number of seconds from 0 to {@link MAX_UNIX_SECONDS}. */
export function checkTimestamp(value: unknown, field: string): OperationError | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value)) return fail(field, `${field} must be an integer (unix seconds)`);
  const seconds = value as number;
  if (seconds < 0 || seconds > MAX_UNIX_SECONDS)
    return fail(field, `${field} must be unix seconds, from 0 to ${MAX_UNIX_SECONDS}`);
  return undefined;
}

/** Whether `value` is a ULID: 26 Crockford base-32 characters, the first at most 7. */
export const isUlid = (value: unknown): boolean =>
  typeof value === 'string' && /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i.test(value);

/** Checks that `value`, when present, has the JSON type `type` (`integer`, `object`, or a `typeof` name). */
export function checkType(
  value: unknown,
  field: string,
  type: 'string' | 'boolean' | 'integer' | 'object',
): OperationError | undefined {
  if (value === undefined) return undefined;
  const ok = type === 'integer' ? Number.isInteger(value) : type === 'object' ? isObject(value) : typeof value === type;
  return ok ? undefined : fail(field, `${field} must be ${type === 'integer' ? 'an' : 'a'} ${type}`);
}

/** Checks that `value`, when present, is one of `values`. */
export function checkEnum(value: unknown, field: string, values: readonly string[]): OperationError | undefined {
  if (value === undefined || values.includes(value as string)) return undefined;
  return fail(field, `${field} must be one of ${values.join(', ')}`);
}
