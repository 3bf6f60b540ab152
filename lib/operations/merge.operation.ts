import type { IdentifierType } from 'customerio-node';
import type { Operation } from './operation.interface.js';
import {
  type CustomerIOMergeIdentifier,
  MERGE_IDENTIFIER_TYPES,
  personKey,
  resolvePerson,
} from './person-identifier.js';
import { members } from './person-operation.js';

/**
 * Merging `secondary` into `primary` (`mergeCustomers`; irreversible), keyed by the primary person: v2 `merge`;
 * directly, v1's `POST /api/v1/merge_customers`, which takes typed identifiers (so it has no v2 fallback).
 */
export function mergeOperation(
  primary: CustomerIOMergeIdentifier | string | number,
  secondary: CustomerIOMergeIdentifier | string | number,
): Operation {
  const first = resolvePerson(primary, 'primary', MERGE_IDENTIFIER_TYPES);
  const second = resolvePerson(secondary, 'secondary', MERGE_IDENTIFIER_TYPES);
  const fields = { primary: { [first.type]: first.value }, secondary: { [second.type]: second.value } };
  return {
    key: personKey(first),
    json: `{"type":"person","action":"merge"${members(fields)}}`,
    direct: () => ({
      api: 'track',
      call: (client) =>
        client.mergeCustomers(first.type as IdentifierType, first.value, second.type as IdentifierType, second.value),
    }),
  };
}
