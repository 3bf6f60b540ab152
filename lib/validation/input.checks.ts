import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import {
  BLANK,
  INVALID_TIMESTAMP,
  INVALID_VALUE,
  RESERVED_ATTRIBUTE,
  TIMESTAMP_IN_MILLISECONDS,
  TOO_MANY_ATTRIBUTES,
} from '../errors/customerio.messages.js';
import { checkBytes, checkJson, checkWellFormed } from './json-value.checks.js';
import { CustomerIOValidationError } from '../errors/customerio.errors.js';

// NOTE: every check here runs synchronously at the call site, before any request is built,
// so bad input throws to the caller that wrote it and never reaches a queue or a batch.

/** A person id as Customer.io takes it in a path: non-blank, well-formed Unicode, at most 150 UTF-8 bytes. */
export function checkPersonId(value: unknown, field = 'personId'): string {
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== 'string' || id.trim() === '') throw new CustomerIOValidationError(field, 'non-blank', BLANK(field));
  checkWellFormed(id, field);
  checkBytes(field, id, CUSTOMERIO_LIMITS.personIdBytes);
  return id;
}

/** A non-blank, well-formed string of at most `limitBytes` UTF-8 bytes (event names, device ids, paths). */
export function checkName(value: unknown, field: string, limitBytes?: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new CustomerIOValidationError(field, 'non-blank', BLANK(field));
  checkWellFormed(value, field);
  if (limitBytes !== undefined) checkBytes(field, value, limitBytes);
  return value;
}

/** Event data: a plain object whose JSON is within 100,000 bytes (see {@link checkJson}). Returns its JSON. */
export function checkEventData(data: unknown, field = 'data'): string {
  checkPlainObject(data, field);
  return checkJson(data, field, CUSTOMERIO_LIMITS.eventDataBytes);
}

/** Person attributes: at most 300, names within 150 bytes and not `__proto__`, each value within 1,000 bytes as sent. */
export function checkAttributes(attributes: unknown, field = 'attributes'): void {
  checkPlainObject(attributes, field);
  const names = Object.keys(attributes);
  if (names.length > CUSTOMERIO_LIMITS.attributeCount) {
    throw new CustomerIOValidationError(
      field,
      `${CUSTOMERIO_LIMITS.attributeCount} attributes`,
      TOO_MANY_ATTRIBUTES(field, CUSTOMERIO_LIMITS.attributeCount, names.length),
    );
  }
  for (const name of names) {
    const path = `${field}.${name}`;
    if (name === '__proto__') throw new CustomerIOValidationError(path, 'not "__proto__"', RESERVED_ATTRIBUTE(path));
    checkWellFormed(name, `${field} name`);
    checkBytes(`${field} name`, name, CUSTOMERIO_LIMITS.attributeNameBytes, `${field} name "${name.slice(0, 40)}…"`);
    const value = attributes[name];
    if (typeof value === 'string') {
      checkWellFormed(value, path);
      checkBytes(path, value, CUSTOMERIO_LIMITS.attributeValueBytes);
    } else if (value !== undefined) {
      checkJson(value, path, CUSTOMERIO_LIMITS.attributeValueBytes);
    }
  }
}

/**
 * A `Date` or unix seconds, as the integer unix seconds Customer.io expects: from 0 (1970) to
 * `CUSTOMERIO_LIMITS.latestTimestamp` (9999-12-31); a larger number is refused as looking like milliseconds.
 */
export function toUnixSeconds(value: Date | number, field = 'timestamp'): number {
  const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    throw new CustomerIOValidationError(field, 'unix seconds', INVALID_TIMESTAMP(field, value));
  }
  if (seconds > CUSTOMERIO_LIMITS.latestTimestamp) {
    const message =
      typeof value === 'number'
        ? TIMESTAMP_IN_MILLISECONDS(field, value, CUSTOMERIO_LIMITS.latestTimestamp)
        : INVALID_TIMESTAMP(field, value);
    throw new CustomerIOValidationError(field, 'unix seconds', message);
  }
  return seconds;
}

/** One of a fixed set of values. */
export function checkOneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    const expected = `one of ${allowed.map((a) => `"${a}"`).join(', ')}`;
    throw new CustomerIOValidationError(field, expected, INVALID_VALUE(field, expected, value));
  }
  return value as T;
}

function checkPlainObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CustomerIOValidationError(field, 'object', INVALID_VALUE(field, 'a plain object', value));
  }
}
