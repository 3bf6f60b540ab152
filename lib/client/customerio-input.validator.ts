import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import {
  BLANK,
  INVALID_TIMESTAMP,
  INVALID_VALUE,
  NOT_SERIALIZABLE,
  TOO_LONG,
  TOO_MANY_ATTRIBUTES,
} from '../customerio.messages.js';
import { CustomerIOValidationError } from './customerio.errors.js';

// NOTE: every check here runs synchronously at the call site, before any request is built,
// so bad input throws to the caller that wrote it and never reaches a queue or a batch.

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

function checkBytes(field: string, text: string, limit: number, label = field): void {
  // NOTE: a UTF-16 code unit is at most 3 UTF-8 bytes, so short text needs no counting (the hot path).
  if (text.length * 3 <= limit) return;
  const bytes = byteLength(text);
  if (bytes > limit) throw new CustomerIOValidationError(field, `${limit} bytes`, TOO_LONG(label, limit, bytes));
}

/** A person id as Customer.io takes it in a path: non-blank, at most 150 UTF-8 bytes. */
export function checkPersonId(value: unknown, field = 'personId'): string {
  const id = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof id !== 'string' || id.trim() === '') throw new CustomerIOValidationError(field, 'non-blank', BLANK(field));
  checkBytes(field, id, CUSTOMERIO_LIMITS.personIdBytes);
  return id;
}

/** A non-blank string of at most `limitBytes` UTF-8 bytes (event names, device ids, paths). */
export function checkName(value: unknown, field: string, limitBytes?: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CustomerIOValidationError(field, 'non-blank', BLANK(field));
  if (limitBytes !== undefined) checkBytes(field, value, limitBytes);
  return value;
}

/** Event data: a plain object that serializes to JSON within 100,000 bytes. Returns its JSON. */
export function checkEventData(data: unknown, field = 'data'): string {
  checkPlainObject(data, field);
  const json = toJson(data, field);
  checkBytes(field, json, CUSTOMERIO_LIMITS.eventDataBytes);
  return json;
}

/** Person attributes: at most 300, names within 150 bytes, each value within 1,000 bytes as sent. */
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
    checkBytes(`${field} name`, name, CUSTOMERIO_LIMITS.attributeNameBytes, `${field} name "${name.slice(0, 40)}…"`);
    const value = attributes[name];
    if (value === undefined) continue;
    checkBytes(path, typeof value === 'string' ? value : toJson(value, path), CUSTOMERIO_LIMITS.attributeValueBytes);
  }
}

/** A `Date` or unix seconds, as the unix seconds Customer.io expects. */
export function toUnixSeconds(value: Date | number, field = 'timestamp'): number {
  const seconds = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new CustomerIOValidationError(field, 'unix seconds', INVALID_TIMESTAMP(field, value));
  }
  return Math.floor(seconds);
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

/** JSON of `value`, refusing what JSON would silently drop (functions, symbols) or cannot encode (BigInt, cycles). */
function toJson(value: unknown, field: string): string {
  // NOTE: native stringify plus a type walk is twice as fast as a replacer; the replacer runs only
  // to say where the trouble is.
  try {
    const json = JSON.stringify(value);
    if (carriesOnlyJson(value)) return json;
  } catch {
    // a cycle or a BigInt: located below
  }
  return locateUnserializable(value, field);
}

/** Whether nothing in `value` would be dropped by JSON (called on values JSON could encode, so acyclic). */
function carriesOnlyJson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) return value.every(carriesOnlyJson);
  for (const key in value) if (!carriesOnlyJson((value as Record<string, unknown>)[key])) return false;
  return true;
}

function locateUnserializable(value: unknown, field: string): never {
  const refuse = (key: string, type: string): never => {
    const where = key ? `${field}.${key}` : field;
    throw new CustomerIOValidationError(where, 'JSON-serializable', NOT_SERIALIZABLE(where, `a ${type} value`));
  };
  try {
    JSON.stringify(value, (key, item: unknown) => {
      const type = typeof item;
      return type === 'bigint' || type === 'function' || type === 'symbol' ? refuse(key, type) : item;
    });
  } catch (error) {
    if (error instanceof CustomerIOValidationError) throw error;
  }
  throw new CustomerIOValidationError(field, 'JSON-serializable', NOT_SERIALIZABLE(field, 'it contains a circular reference'));
}
