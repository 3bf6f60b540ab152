import type { CustomerIOAttributes } from '../interfaces/customerio-events.interface.js';
import { checkAttributes, toUnixSeconds } from '../validation/input.checks.js';

/**
 * Checks attributes (of a person, an object or a relationship; `field` names them in errors) and returns them as
 * Customer.io takes them: `Date` values become unix seconds, and a number `created_at` must be unix seconds.
 */
export function validAttributes(attributes: CustomerIOAttributes, field = 'attributes'): CustomerIOAttributes {
  checkAttributes(attributes, field);
  const out: CustomerIOAttributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    const timestamp = value instanceof Date || (key === 'created_at' && typeof value === 'number');
    out[key] = timestamp ? toUnixSeconds(value, `${field}.${key}`) : value;
  }
  return out;
}
