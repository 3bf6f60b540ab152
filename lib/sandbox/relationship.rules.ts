import {
  fail,
  identifierKey,
  isObject,
  type Json,
  MERGE_IDENTIFIERS,
  type OperationError,
} from './sandbox-validation.js';

// Rules of objects and relationships, from Customer.io's Track API document: an object's `identifiers` are
// `{object_type_id, object_id}` (strings) or `{cio_object_id}`; `cio_relationships` is an array whose items carry
// `identifiers` (an object's, on a person operation; a person's `id`, `email` or `cio_id`, on an object operation)
// and optional `relationship_attributes` (an object).

/** The v2 actions of an object operation (`object_operations`). */
export const OBJECT_ACTIONS: readonly string[] = [
  'identify',
  'identify_anonymous',
  'delete',
  'add_relationships',
  'delete_relationships',
];

/** Maps an object's `identifiers` to the key objects are stored under: `<object_type_id>:<object_id>`, or the `cio_object_id`. */
export function objectKey(identifiers: unknown, field: string, strict: boolean): { key: string } | OperationError {
  const names = isObject(identifiers) ? Object.keys(identifiers).sort().join(',') : '';
  const text = (name: string): string | OperationError => {
    const value = (identifiers as Json)[name];
    const ok = typeof value === 'string' || (!strict && typeof value === 'number');
    if (!ok || String(value).trim() === '')
      return fail(`${field}.${name}`, `${field}.${name} must be a non-blank string`);
    return String(value);
  };
  if (names === 'cio_object_id') {
    const id = text('cio_object_id');
    return typeof id === 'string' ? { key: id } : id;
  }
  if (names !== 'object_id,object_type_id')
    return fail(field, `${field} must be { object_type_id, object_id } or { cio_object_id }`);
  const type = text('object_type_id');
  if (typeof type !== 'string') return type;
  const id = text('object_id');
  return typeof id === 'string' ? { key: `${type}:${id}` } : id;
}

/** A checked relationship: the key of the other side, and the relationship's attributes. */
export interface RelationshipItem {
  /** Key of the related object (on a person operation) or person (on an object operation). */
  key: string;
  /** `relationship_attributes`, `{}` when none. */
  attributes: Json;
}

/**
 * Checks `cio_relationships` (`required`: the action needs it) whose items are identified by objects (`'object'`)
 * or by people (`'person'`), and returns its items.
 */
export function relationshipItems(
  value: unknown,
  required: boolean,
  side: 'object' | 'person',
  strict: boolean,
): RelationshipItem[] | OperationError {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) return fail('cio_relationships', 'cio_relationships must be an array');
  const items: RelationshipItem[] = [];
  for (const [index, item] of value.entries()) {
    const path = `cio_relationships[${index}]`;
    if (!isObject(item)) return fail(path, `${path} must be an object`);
    const key =
      side === 'object'
        ? objectKey(item.identifiers, `${path}.identifiers`, strict)
        : identifierKey(item.identifiers, `${path}.identifiers`, MERGE_IDENTIFIERS, strict);
    if ('reason' in key) return key;
    const attributes = item.relationship_attributes ?? {};
    if (!isObject(attributes))
      return fail(`${path}.relationship_attributes`, `${path}.relationship_attributes must be an object`);
    items.push({ key: key.key, attributes });
  }
  return items;
}
