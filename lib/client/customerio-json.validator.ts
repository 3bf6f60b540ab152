import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import {
  CIRCULAR,
  NOT_SERIALIZABLE,
  NOT_WELL_FORMED,
  TO_JSON_THREW,
  TO_JSON_UNDEFINED,
  TOO_DEEP,
  TOO_LONG,
  TOO_LONG_AT_LEAST,
} from '../customerio.messages.js';
import { CustomerIOValidationError } from './customerio.errors.js';

// NOTE: values are walked before JSON.stringify sees them: the walk counts a lower bound of the bytes
// JSON will take and stops as soon as it passes the limit, so a huge value costs what the limit allows,
// not its size; and it says which field is wrong, where stringify would only throw.

type Key = string | number;
type WellFormed = string & { isWellFormed(): boolean };

const SERIALIZABLE = 'JSON-serializable';
const dateToJson = Date.prototype.toJSON;

/** `field` followed by `keys`, as `data.items[2].name` (lone surrogates and quotes in names escaped). */
function fieldPath(field: string, keys: readonly Key[]): string {
  let path = field;
  for (const key of keys) path += typeof key === 'number' ? `[${key}]` : `.${JSON.stringify(key).slice(1, -1)}`;
  return path;
}

// NOTE: native, and O(1) on one-byte strings (most text).
const isWellFormed = (text: string): boolean => (text as WellFormed).isWellFormed();

function notWellFormed(text: string, field: string): CustomerIOValidationError {
  // NOTE: with the u flag, \p{Cs} matches only a surrogate that is not part of a pair.
  const index = /\p{Cs}/u.exec(text)?.index ?? 0;
  return new CustomerIOValidationError(field, 'well-formed Unicode', NOT_WELL_FORMED(field, index, text.charCodeAt(index)));
}

/** Throws unless `text` is well-formed UTF-16: a lone surrogate has no UTF-8 form (JSON would send it as `\ud800`). */
export function checkWellFormed(text: string, field: string): void {
  if (!isWellFormed(text)) throw notWellFormed(text, field);
}

/** Throws when `text` is over `limit` UTF-8 bytes; `label` names it in the message. */
export function checkBytes(field: string, text: string, limit: number, label = field): void {
  // NOTE: a UTF-16 code unit is at most 3 UTF-8 bytes, so short text needs no counting (the hot path).
  if (text.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limit) throw new CustomerIOValidationError(field, `${limit} bytes`, TOO_LONG(label, limit, bytes));
}

/** Walks one value as JSON.stringify will, refusing what it cannot or would not send. */
class JsonWalk {
  #bytes = 0;
  /** Keys from the root to the value being walked, and the objects and arrays on that way. */
  readonly #keys: Key[] = [];
  readonly #parents: object[] = [];

  constructor(
    readonly field: string,
    readonly limit: number,
  ) {}

  value(value: unknown, replaced = false): void {
    switch (typeof value) {
      case 'string':
        this.#add(value.length + 2);
        if (!isWellFormed(value)) throw notWellFormed(value, this.#path());
        return;
      case 'number':
      case 'boolean':
        return this.#add(1);
      case 'undefined':
        return;
      case 'object':
        if (value === null) return this.#add(4);
        return replaced ? this.#container(value) : this.#object(value);
      default:
        this.#refuse(`a ${typeof value} value`);
    }
  }

  #object(value: object): void {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON !== 'function') return this.#container(value);
    // A Date is an ISO string, or null when invalid: 4 bytes at least.
    if (toJSON === dateToJson) return this.#add(4);
    let replaced: unknown;
    try {
      replaced = toJSON.call(value, String(this.#keys.at(-1) ?? ''));
    } catch (error) {
      this.#refuse(TO_JSON_THREW(error));
    }
    if (replaced === undefined) this.#refuse(TO_JSON_UNDEFINED());
    // NOTE: like JSON.stringify, what toJSON returns is sent as is (its own toJSON is not called).
    this.value(replaced, true);
  }

  #container(value: object): void {
    const loop = this.#parents.indexOf(value);
    if (loop !== -1) this.#refuse(CIRCULAR(fieldPath(this.field, this.#keys.slice(0, loop))));
    if (this.#parents.length === CUSTOMERIO_LIMITS.jsonDepth) {
      throw new CustomerIOValidationError(this.field, `${CUSTOMERIO_LIMITS.jsonDepth} levels`, TOO_DEEP(this.field, CUSTOMERIO_LIMITS.jsonDepth));
    }
    this.#parents.push(value);
    if (Array.isArray(value)) {
      // Brackets and commas first: an array far over the limit stops here, before any element is read.
      this.#add(Math.max(2, value.length + 1));
      for (let index = 0; index < value.length; index++) this.#child(index, value[index]);
    } else {
      // `{}`, then `"name":` and a comma for each member but the last.
      this.#add(1);
      let members = 0;
      for (const name of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[name];
        if (item === undefined) continue;
        this.#add(name.length + 4);
        members++;
        this.#keys.push(name);
        if (!isWellFormed(name)) throw notWellFormed(name, this.#path());
        this.value(item);
        this.#keys.pop();
      }
      if (members === 0) this.#add(1);
    }
    this.#parents.pop();
  }

  #child(key: Key, item: unknown): void {
    this.#keys.push(key);
    this.value(item);
    this.#keys.pop();
  }

  #add(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes > this.limit) {
      throw new CustomerIOValidationError(this.field, `${this.limit} bytes`, TOO_LONG_AT_LEAST(this.field, this.limit));
    }
  }

  #path(): string {
    return fieldPath(this.field, this.#keys);
  }

  #refuse(reason: string): never {
    const path = this.#path();
    throw new CustomerIOValidationError(path, SERIALIZABLE, NOT_SERIALIZABLE(path, reason));
  }
}

/**
 * The JSON of `value`, refused with a {@link CustomerIOValidationError} naming the field when it is over
 * `limitBytes` (UTF-8), nested deeper than `CUSTOMERIO_LIMITS.jsonDepth`, circular, not well-formed Unicode,
 * or holds what JSON cannot carry or would drop (BigInt, functions, symbols, a toJSON() that throws or
 * returns undefined).
 */
export function checkJson(value: unknown, field: string, limitBytes: number): string {
  new JsonWalk(field, limitBytes).value(value);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // NOTE: only a toJSON() that answers differently the second time gets here.
    throw new CustomerIOValidationError(field, SERIALIZABLE, NOT_SERIALIZABLE(field, TO_JSON_THREW(error)));
  }
  if (json === undefined) throw new CustomerIOValidationError(field, SERIALIZABLE, NOT_SERIALIZABLE(field, TO_JSON_UNDEFINED()));
  checkBytes(field, json, limitBytes);
  return json;
}
