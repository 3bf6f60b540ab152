import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { validAttributes } from './attribute-values.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import type { Operation } from './operation.interface.js';
import { personOperation } from './person-operation.js';
import type { CustomerIOAttributes } from '../interfaces/customerio-events.interface.js';
import { type CustomerIOObjectIdentifier, resolveObject } from './object-identifier.js';
import { type CustomerIOPersonId, resolvePerson } from './person-identifier.js';

/** A relationship of a person to an object (an account, a company…), with attributes of the relationship. */
export interface CustomerIORelationship {
  /** The object the person is related to. */
  object: CustomerIOObjectIdentifier;
  /** Attributes of the relationship itself (a role, a seat…). @default none */
  attributes?: CustomerIOAttributes;
}

/** The v2 actions that add or remove relationships. */
export type RelationshipAction = 'add_relationships' | 'delete_relationships';

/**
 * Checks a non-empty list of relationships (`field` names it in errors) and returns Customer.io's
 * `cio_relationships`: each item's `identifiers` from `identify`, and its `relationship_attributes`.
 */
export function relationshipsField<T extends { attributes?: CustomerIOAttributes }>(
  items: readonly T[],
  field: string,
  identify: (item: T, field: string) => Record<string, string>,
): Array<Record<string, unknown>> {
  if (!Array.isArray(items) || items.length === 0) {
    throw new CustomerIOValidationError(field, 'at least 1', INVALID_VALUE(field, 'a non-empty array', items));
  }
  return items.map((item, index) => {
    const path = `${field}[${index}]`;
    if (typeof item !== 'object' || item === null)
      throw new CustomerIOValidationError(path, 'object', INVALID_VALUE(path, 'an object', item));
    const identifiers = identify(item, path);
    if (item.attributes === undefined) return { identifiers };
    return { identifiers, relationship_attributes: validAttributes(item.attributes, `${path}.attributes`) };
  });
}

/**
 * Relating a person to objects, or removing those relationships (`addRelationships`, `deleteRelationships`): v2
 * `add_relationships` / `delete_relationships`, keyed by the person; directly, the same to `/api/v2/entity` (v1 has
 * no form).
 */
export function personRelationshipsOperation(
  personId: CustomerIOPersonId,
  action: RelationshipAction,
  relationships: readonly CustomerIORelationship[],
): Operation {
  const person = resolvePerson(personId);
  const items = relationshipsField(
    relationships,
    'relationships',
    (item, path) => resolveObject(item.object, `${path}.object`).identifiers,
  );
  return personOperation(person, action, { cio_relationships: items });
}
