import type { CustomerIOAttributes } from '../../interfaces/customerio-events.interface.js';
import { checkPersonId } from '../../validation/input.checks.js';
import { validAttributes } from '../attribute-values.js';
import type { CustomerIOGroupOptions } from '../group.operation.js';
import type { Operation } from '../operation.interface.js';
import { members } from '../person-operation.js';
import { pipelinesJson, pipelinesOperation, pipelinesUserId, userSubject } from './pipelines-call.js';

/**
 * `group`: relates a person to a group (an object, in Customer.io Journeys) and sets its `traits`; the object type
 * is `traits.object_type_id` (a stringified integer), the relationship's attributes `traits.relationshipAttributes`.
 */
export function pipelinesGroup(
  personId: unknown,
  groupId: string | number,
  traits: CustomerIOAttributes = {},
  options: CustomerIOGroupOptions = {},
): Operation {
  const userId = pipelinesUserId(personId);
  const group = checkPersonId(groupId, 'groupId');
  const objectTypeId = checkPersonId(options.objectTypeId ?? 1, 'objectTypeId');
  const relationshipAttributes =
    options.relationshipAttributes === undefined
      ? undefined
      : validAttributes(options.relationshipAttributes, 'relationshipAttributes');
  const all = {
    ...validAttributes(traits, 'traits'),
    object_type_id: objectTypeId,
    ...(relationshipAttributes && { relationshipAttributes }),
  };
  const body = `,"groupId":${JSON.stringify(group)}${members({ traits: all })}`;
  return pipelinesOperation(userId, 'group', pipelinesJson('group', userSubject(userId), body));
}

/** `alias`: merges `previousId`'s profile (an anonymous id or an earlier user id) into `userId`'s, keyed by `userId`. */
export function pipelinesAlias(previousId: string | number, userId: string | number): Operation {
  const previous = checkPersonId(previousId, 'previousId');
  const user = pipelinesUserId(userId, 'userId');
  const body = `,"previousId":${JSON.stringify(previous)}`;
  return pipelinesOperation(user, 'alias', pipelinesJson('alias', userSubject(user), body));
}
