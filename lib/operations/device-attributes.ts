import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkAttributes, checkOneOf } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';

/** A device attribute value: Customer.io keeps strings; booleans and numbers are sent as their string. */
export type CustomerIODeviceAttributeValue = string | number | boolean;

/** Device attributes (`push_enabled`, `app_version`, … and your own). */
export type CustomerIODeviceAttributes = Record<string, CustomerIODeviceAttributeValue>;

const STRING_FORM = 'a string, number or boolean';

/**
 * Checks device attributes and returns them as Customer.io takes them: every value a string
 * (`true` → `"true"`, `42` → `"42"`); `push_enabled` must be `"true"` or `"false"`. Any other value
 * (object, array, null, Date, a non-finite number) is refused, naming the attribute.
 */
export function deviceAttributes(attributes: unknown, field = 'attributes'): Record<string, string> {
  checkAttributes(attributes, field);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes as Record<string, unknown>)) {
    if (value === undefined) continue;
    const path = `${field}.${name}`;
    const text =
      typeof value === 'string'
        ? value
        : typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))
          ? String(value)
          : undefined;
    if (text === undefined)
      throw new CustomerIOValidationError(path, STRING_FORM, INVALID_VALUE(path, STRING_FORM, value));
    out[name] = name === 'push_enabled' ? checkOneOf(text, path, ['true', 'false']) : text;
  }
  return out;
}
