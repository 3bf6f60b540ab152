import type { CustomerIOAttributes, CustomerIOTimestamp } from '../interfaces/customerio-events.interface.js';
import { toUnixSeconds } from '../validation/input.checks.js';
import { validAttributes } from './attribute-values.js';
import type { Operation } from './operation.interface.js';
import { type CustomerIOPersonId, resolvePerson } from './person-identifier.js';
import { personOperation } from './person-operation.js';

/** Options of `identify`. */
export interface IdentifyOptions {
  /** When the attributes were true; Customer.io applies rapid updates in this order. */
  timestamp?: CustomerIOTimestamp;
  /** Only update a person who exists; never create one. @default false */
  updateOnly?: boolean;
}

/**
 * Creating or updating a person (`identify`): v2 `identify` with `attributes` (and `timestamp`); directly, v1's
 * `PUT /api/v1/customers/{id}` with the attributes (and `_timestamp`). `Date` attribute values become unix seconds.
 */
export function identifyOperation(
  personId: CustomerIOPersonId,
  attributes: CustomerIOAttributes = {},
  options: IdentifyOptions = {},
): Operation {
  const person = resolvePerson(personId);
  const checked = validAttributes(attributes);
  if (options.updateOnly) checked._update = true;
  const timestamp = options.timestamp === undefined ? undefined : toUnixSeconds(options.timestamp);
  return personOperation(
    person,
    'identify',
    { attributes: checked, ...(timestamp !== undefined && { timestamp }) },
    (client, id) => client.identify(id, { ...checked, ...(timestamp !== undefined && { _timestamp: timestamp }) }),
  );
}
