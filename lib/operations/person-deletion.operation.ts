import type { Operation } from './operation.interface.js';
import { type CustomerIOPersonId, resolvePerson } from './person-identifier.js';
import { personOperation } from './person-operation.js';

/** Deleting a person (`destroy`): v2 `delete`; directly, v1's `DELETE /api/v1/customers/{id}`. */
export function destroyOperation(personId: CustomerIOPersonId): Operation {
  return personOperation(resolvePerson(personId), 'delete', {}, (client, id) => client.destroy(id));
}
