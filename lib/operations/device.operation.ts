import type { CustomerIOTimestamp } from '../interfaces/customerio-events.interface.js';
import { checkName, checkOneOf, toUnixSeconds } from '../validation/input.checks.js';
import { type CustomerIODeviceAttributes, deviceAttributes } from './device-attributes.js';
import type { Operation } from './operation.interface.js';
import { type CustomerIOPersonId, resolvePerson } from './person-identifier.js';
import { personOperation } from './person-operation.js';

/** A device to register with `addDevice`. */
export interface CustomerIODeviceOptions {
  /** When the device was last used. */
  lastUsed?: CustomerIOTimestamp;
  /** Device attributes: strings; booleans and numbers are sent as strings; `push_enabled` is `'true'` or `'false'`. */
  attributes?: CustomerIODeviceAttributes;
}

/** A push-capable platform. */
export type CustomerIODevicePlatform = 'ios' | 'android';

/**
 * Registering (or updating) a person's device for push (`addDevice`): v2 `add_device` with `device`; directly,
 * v1's `PUT /api/v1/customers/{id}/devices`.
 */
export function addDeviceOperation(
  personId: CustomerIOPersonId,
  deviceId: string,
  platform: CustomerIODevicePlatform,
  options: CustomerIODeviceOptions = {},
): Operation {
  const person = resolvePerson(personId);
  const token = checkName(deviceId, 'deviceId');
  const checkedPlatform = checkOneOf(platform, 'platform', ['ios', 'android']);
  const lastUsed = options.lastUsed === undefined ? undefined : toUnixSeconds(options.lastUsed, 'lastUsed');
  const attributes = options.attributes === undefined ? undefined : deviceAttributes(options.attributes);
  const device = {
    token,
    platform: checkedPlatform,
    ...(attributes !== undefined && { attributes }),
    ...(lastUsed !== undefined && { last_used: lastUsed }),
  };
  return personOperation(person, 'add_device', { device }, (client, id) =>
    client.addDevice(id, token, checkedPlatform, {
      ...attributes,
      ...(lastUsed !== undefined && { last_used: lastUsed }),
    }),
  );
}

/** Removing a person's device (`deleteDevice`): v2 `delete_device`; directly, v1's `DELETE …/devices/{token}`. */
export function deleteDeviceOperation(personId: CustomerIOPersonId, deviceId: string): Operation {
  const person = resolvePerson(personId);
  const token = checkName(deviceId, 'deviceId');
  return personOperation(person, 'delete_device', { device: { token } }, (client, id) =>
    client.deleteDevice(id, token),
  );
}
