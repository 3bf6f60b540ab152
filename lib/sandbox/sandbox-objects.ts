import type { SandboxRecords } from './sandbox-records.js';
import { OBJECT_ACTIONS, objectKey, relationshipItems } from './relationship.rules.js';
import { checkAttributes, fail, isObject, type Json, type OperationError } from './sandbox-validation.js';

/**
 * Applies a v2 object operation (`type: "object"`) to the sandbox's objects: identify (with relationships),
 * delete, and adding or removing relationships to people (internal to the sandbox).
 */
export function applyObjectOperation(records: SandboxRecords, op: Json, strict: boolean): OperationError | undefined {
  if (typeof op.action !== 'string' || !OBJECT_ACTIONS.includes(op.action)) {
    return fail('action', `action must be one of ${OBJECT_ACTIONS.join(', ')}`);
  }
  if (op.action === 'identify_anonymous')
    return fail('action', 'action "identify_anonymous" is not supported by the sandbox', 'unsupported');
  const object = objectKey(op.identifiers, 'identifiers', strict);
  if ('reason' in object) return object;
  if (op.action === 'delete') {
    records.objects.delete(object.key);
    return undefined;
  }
  const identify = op.action === 'identify';
  const attributes = op.attributes ?? {};
  if (identify && !isObject(attributes)) return fail('attributes', 'attributes must be an object');
  const error = identify ? checkAttributes(attributes as Json, 'attributes') : undefined;
  if (error) return error;
  const items = relationshipItems(op.cio_relationships, !identify, 'person', strict);
  if ('reason' in items) return items;
  const stored = records.object(object.key);
  if (identify) Object.assign(stored.attributes, attributes);
  for (const { key, attributes: relationship } of items) {
    if (op.action === 'delete_relationships') delete stored.relationships[key];
    else stored.relationships[key] = relationship;
  }
  return undefined;
}

/** Applies a person's `add_relationships` or `delete_relationships` (`personKey`: the person as stored). */
export function applyPersonRelationships(
  records: SandboxRecords,
  personKey: string,
  op: Json,
  strict: boolean,
): OperationError | undefined {
  const items = relationshipItems(op.cio_relationships, true, 'object', strict);
  if ('reason' in items) return items;
  for (const { key, attributes } of items) {
    if (op.action === 'delete_relationships') {
      if (records.objects.has(key)) delete records.object(key).relationships[personKey];
    } else records.object(key).relationships[personKey] = attributes;
  }
  return undefined;
}
