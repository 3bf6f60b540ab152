import { validAttributes } from './attribute-values.js';
import type { Operation } from './operation.interface.js';
import type { CustomerIOAttributes } from '../interfaces/customerio-events.interface.js';
import { type CustomerIOObjectIdentifier, type ResolvedObject, resolveObject } from './object-identifier.js';
import { type CustomerIOMergeIdentifier, MERGE_IDENTIFIER_TYPES, resolvePerson } from './person-identifier.js';
import { type RelationshipAction, relationshipsField } from './relationship.operation.js';

/** A relationship of an object to a person (Customer.io's object relationships take no phone identifier). */
export interface CustomerIOObjectRelationship {
  /** The person: a typed identifier (`id`, `email`, `cio_id`) or a plain value read like every person id. */
  person: CustomerIOMergeIdentifier | string | number;
  /** Attributes of the relationship itself. @default none */
  attributes?: CustomerIOAttributes;
}

/** Options of `identifyObject`. */
export interface IdentifyObjectOptions {
  /** People to relate to the object in the same operation. @default none */
  relationships?: readonly CustomerIOObjectRelationship[];
}

/** The people of object relationships as `cio_relationships`. */
function peopleField(people: readonly CustomerIOObjectRelationship[], field: string): Array<Record<string, unknown>> {
  return relationshipsField(people, field, (item, path) => {
    const { type, value } = resolvePerson(item.person, `${path}.person`, MERGE_IDENTIFIER_TYPES);
    return { [type]: value };
  });
}

/** An operation about one object, keyed by the object; directly, the same to `/api/v2/entity` (v1 has no form). */
function objectOperation(
  { identifiers, key }: ResolvedObject,
  action: string,
  fields: Record<string, unknown> = {},
): Operation {
  const json = JSON.stringify({ type: 'object', identifiers, action, ...fields });
  return { key, json, direct: () => ({ api: 'entity', json }) };
}

/** An object's `identify` (create or update), keyed by the object. `Date` attribute values become unix seconds. */
export function identifyObjectOperation(
  object: CustomerIOObjectIdentifier,
  attributes: CustomerIOAttributes = {},
  options: IdentifyObjectOptions = {},
): Operation {
  const resolved = resolveObject(object);
  const checked = validAttributes(attributes);
  const relationships =
    options.relationships === undefined ? undefined : peopleField(options.relationships, 'relationships');
  return objectOperation(resolved, 'identify', {
    attributes: checked,
    ...(relationships && { cio_relationships: relationships }),
  });
}

/** An object's `delete`, keyed by the object. */
export function deleteObjectOperation(object: CustomerIOObjectIdentifier): Operation {
  return objectOperation(resolveObject(object), 'delete');
}

/** An object's `add_relationships` or `delete_relationships` with people, keyed by the object. */
export function objectRelationshipsOperation(
  object: CustomerIOObjectIdentifier,
  action: RelationshipAction,
  people: readonly CustomerIOObjectRelationship[],
): Operation {
  const resolved = resolveObject(object);
  return objectOperation(resolved, action, { cio_relationships: peopleField(people, 'relationships') });
}
