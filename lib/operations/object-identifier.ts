import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkPersonId } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';

/**
 * An object (an account, a company…: Customer.io's objects), as Customer.io's v2 `identifiers` of an object:
 * its type's id (from the workspace's Objects settings) and its own id, or Customer.io's `cio_object_id`.
 */
export type CustomerIOObjectIdentifier =
  { object_type_id: string | number; object_id: string | number } | { cio_object_id: string };

/** An object resolved to its `identifiers` and its ordering key. */
export interface ResolvedObject {
  /** The v2 `identifiers`, values as strings (the spec types them as strings). */
  readonly identifiers: Record<string, string>;
  /** The queue's ordering key: the same object has the same key. */
  readonly key: string;
}

/** Checks an object identifier (`field` names it in errors) and resolves it. */
export function resolveObject(object: unknown, field = 'object'): ResolvedObject {
  const given = typeof object === 'object' && object !== null ? Object.keys(object).sort().join(',') : '';
  if (given === 'cio_object_id') {
    const id = checkPersonId((object as { cio_object_id: unknown }).cio_object_id, `${field}.cio_object_id`);
    return { identifiers: { cio_object_id: id }, key: `cio_object:${id}` };
  }
  if (given !== 'object_id,object_type_id') {
    const expected = '{ object_type_id, object_id } or { cio_object_id }';
    throw new CustomerIOValidationError(field, expected, INVALID_VALUE(field, expected, object));
  }
  const { object_type_id: type, object_id: id } = object as Record<string, unknown>;
  const typeId = checkPersonId(type, `${field}.object_type_id`);
  const objectId = checkPersonId(id, `${field}.object_id`);
  return { identifiers: { object_type_id: typeId, object_id: objectId }, key: `object:${typeId}:${objectId}` };
}
