import type { Operation } from './operation.interface.js';
import { type CustomerIOPersonId, resolvePerson } from './person-identifier.js';
import { personOperation } from './person-operation.js';

/**
 * Suppressing a person (Customer.io deletes them and ignores their id from then on): v2 `suppress`; directly,
 * v1's `POST /api/v1/customers/{id}/suppress`.
 */
export function suppressOperation(personId: CustomerIOPersonId): Operation {
  return personOperation(resolvePerson(personId), 'suppress', {}, (client, id) => client.suppress(id));
}

/** Lifting a suppression: v2 `unsuppress`; directly, v1's `POST /api/v1/customers/{id}/unsuppress`. */
export function unsuppressOperation(personId: CustomerIOPersonId): Operation {
  return personOperation(resolvePerson(personId), 'unsuppress', {}, (client, id) => client.unsuppress(id));
}
