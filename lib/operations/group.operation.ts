import type { CustomerIOAttributes } from '../interfaces/customerio-events.interface.js';
import { type CustomerIOObjectRelationship, identifyObjectOperation } from './object.operation.js';
import type { Operation } from './operation.interface.js';
import type { CustomerIOPersonId } from './person-identifier.js';

/** Options of `group`. */
export interface CustomerIOGroupOptions {
  /**
   * The type of object the group is (its id in the workspace's Objects settings).
   * @default 1
   */
  objectTypeId?: string | number;
  /** Attributes of the person's relationship to the group. @default none */
  relationshipAttributes?: CustomerIOAttributes;
}

/**
 * Relating a person to a group (an account, a company…) and setting the group's traits (`group`), on the Track API:
 * what Customer.io makes of a Pipelines `group` call: an object's `identify` (`object_type_id`, `object_id` =
 * `groupId`) with its relationship to the person, keyed by the object.
 */
export function trackGroupOperation(
  personId: CustomerIOPersonId,
  groupId: string | number,
  traits?: CustomerIOAttributes,
  options: CustomerIOGroupOptions = {},
): Operation {
  const object = { object_type_id: options.objectTypeId ?? 1, object_id: groupId };
  const relationship = {
    person: personId as CustomerIOObjectRelationship['person'],
    ...(options.relationshipAttributes !== undefined && { attributes: options.relationshipAttributes }),
  };
  return identifyObjectOperation(object, traits, { relationships: [relationship] });
}
