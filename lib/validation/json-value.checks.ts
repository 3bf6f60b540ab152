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
} from '../errors/customerio.messages.js';
import { CustomerIOValidationError } from '../errors/customerio.errors.js';

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
  return new CustomerIOValidationError(
    field,
    'well-formed Unicode',
    NOT_WELL_FORMED(field, index, text.charCodeAt(index)),
  );
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

/** Thrown by an untraced walk that met a fault: walk again, traced, to name it. */
const RETRACE = Symbol('retrace');

/** What a traced walk keeps to name a fault: the keys from the root, and the objects and arrays on the way. */
interface Trace {
  readonly field: string;
  readonly limit: number;
  readonly keys: Key[];
  readonly parents: object[];
}

// NOTE: the walk runs on every call, so it is plain functions over a byte budget and for...in, which
// allocate nothing. Untraced, it may be stricter than JSON (for...in also sees inherited keys; a cycle
// shows as nesting too deep) and throws RETRACE at any fault; the traced walk (own keys, ancestors,
// paths) then finds the first real fault and names it, or finds none.

const pathOf = (trace: Trace): string => fieldPath(trace.field, trace.keys);

function fault(trace: Trace | undefined, error: (trace: Trace) => CustomerIOValidationError): never {
  throw trace ? error(trace) : RETRACE;
}

function refuse(trace: Trace | undefined, reason: string): never {
  fault(trace, (t) => new CustomerIOValidationError(pathOf(t), SERIALIZABLE, NOT_SERIALIZABLE(pathOf(t), reason)));
}

/** `budget` less `bytes`; a fault once it is spent. */
function spend(budget: number, bytes: number, trace: Trace | undefined): number {
  if (budget < bytes)
    fault(
      trace,
      (t) => new CustomerIOValidationError(t.field, `${t.limit} bytes`, TOO_LONG_AT_LEAST(t.field, t.limit)),
    );
  return budget - bytes;
}

/** What is left of `budget` once `value` is counted: a lower bound of its UTF-8 bytes as JSON. */
function measure(value: unknown, key: Key, depth: number, budget: number, trace?: Trace): number {
  switch (typeof value) {
    case 'string':
      budget = spend(budget, value.length + 2, trace);
      if (!isWellFormed(value)) throw trace ? notWellFormed(value, pathOf(trace)) : RETRACE;
      return budget;
    case 'number':
    case 'boolean':
      return spend(budget, 1, trace);
    case 'undefined':
      return budget;
    case 'object':
    case 'bigint':
      return value === null ? spend(budget, 4, trace) : measureObject(value, key, depth, budget, trace);
    default:
      return refuse(trace, `a ${typeof value} value`);
  }
}

/** An object, or a BigInt: JSON sends either as its toJSON() says when it has one (a BigInt has none unless polyfilled). */
function measureObject(value: object | bigint, key: Key, depth: number, budget: number, trace?: Trace): number {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') {
    return typeof value === 'bigint' ? refuse(trace, 'a bigint value') : measureContainer(value, depth, budget, trace);
  }
  // A Date is an ISO string, or null when invalid: 4 bytes at least.
  if (toJSON === dateToJson) return spend(budget, 4, trace);
  let replaced: unknown;
  try {
    replaced = toJSON.call(value, String(key));
  } catch (error) {
    return refuse(trace, TO_JSON_THREW(error));
  }
  if (replaced === undefined) return refuse(trace, TO_JSON_UNDEFINED());
  // NOTE: like JSON.stringify, what toJSON returns is sent as is (its own toJSON is not called).
  return typeof replaced === 'object' && replaced !== null
    ? measureContainer(replaced, depth, budget, trace)
    : measure(replaced, key, depth, budget, trace);
}

function measureContainer(value: object, depth: number, budget: number, trace?: Trace): number {
  if (trace) {
    const loop = trace.parents.indexOf(value);
    if (loop !== -1) refuse(trace, CIRCULAR(fieldPath(trace.field, trace.keys.slice(0, loop))));
    trace.parents.push(value);
  }
  if (depth > CUSTOMERIO_LIMITS.jsonDepth) {
    const limit = CUSTOMERIO_LIMITS.jsonDepth;
    fault(trace, (t) => new CustomerIOValidationError(t.field, `${limit} levels`, TOO_DEEP(t.field, limit)));
  }
  if (Array.isArray(value)) {
    // Brackets and commas first: an array far over the limit stops here, before any element is read.
    budget = spend(budget, Math.max(2, value.length + 1), trace);
    for (let index = 0; index < value.length; index++)
      budget = measureMember(value[index], index, depth, budget, trace);
  } else {
    // `{}`, then `"name":` and a comma for each member but the last.
    budget = spend(budget, 1, trace);
    let empty = true;
    for (const name in value) {
      if (trace && !Object.hasOwn(value, name)) continue;
      const item = (value as Record<string, unknown>)[name];
      if (item === undefined) continue;
      empty = false;
      budget = measureMember(item, name, depth, spend(budget, name.length + 4, trace), trace);
    }
    if (empty) budget = spend(budget, 1, trace);
  }
  trace?.parents.pop();
  return budget;
}

function measureMember(item: unknown, key: Key, depth: number, budget: number, trace?: Trace): number {
  if (typeof key === 'string' && !isWellFormed(key)) {
    if (!trace) throw RETRACE;
    trace.keys.push(key);
    throw notWellFormed(key, pathOf(trace));
  }
  if (!trace) return measure(item, key, depth + 1, budget);
  trace.keys.push(key);
  budget = measure(item, key, depth + 1, budget, trace);
  trace.keys.pop();
  return budget;
}

/**
 * The JSON of `value`, refused with a {@link CustomerIOValidationError} naming the field when it is over
 * `limitBytes` (UTF-8), nested deeper than `CUSTOMERIO_LIMITS.jsonDepth`, circular, not well-formed Unicode,
 * or holds what JSON cannot carry or would drop (BigInt, functions, symbols, a toJSON() that throws or
 * returns undefined).
 */
export function checkJson(value: unknown, field: string, limitBytes: number): string {
  try {
    measure(value, '', 1, limitBytes);
  } catch (error) {
    if (error !== RETRACE) throw error;
    measure(value, '', 1, limitBytes, { field, limit: limitBytes, keys: [], parents: [] });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // NOTE: only a toJSON() that answers differently the second time gets here.
    throw new CustomerIOValidationError(field, SERIALIZABLE, NOT_SERIALIZABLE(field, TO_JSON_THREW(error)));
  }
  if (json === undefined)
    throw new CustomerIOValidationError(field, SERIALIZABLE, NOT_SERIALIZABLE(field, TO_JSON_UNDEFINED()));
  checkBytes(field, json, limitBytes);
  return json;
}
