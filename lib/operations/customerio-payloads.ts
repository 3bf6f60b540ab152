import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventData,
  CustomerIOTimestamp,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import { type CustomerIODeviceAttributes, deviceAttributes } from './device-attributes.js';
import { checkAttributes, checkEventData, checkName, checkOneOf, toUnixSeconds } from '../validation/input.checks.js';

// NOTE: the direct client (v1 endpoints) and the queue (v2 operations) shape requests differently;
// both take their input through these checks, so a limit is enforced the same way on either path.

/** Options of `identify`. */
export interface IdentifyOptions {
  /** When the attributes were true; Customer.io applies rapid updates in this order. */
  timestamp?: CustomerIOTimestamp;
  /** Only update a person who exists; never create one. @default false */
  updateOnly?: boolean;
}

/** A device to register with `addDevice`. */
export interface CustomerIODeviceOptions {
  /** When the device was last used. */
  lastUsed?: CustomerIOTimestamp;
  /** Device attributes: strings; booleans and numbers are sent as strings; `push_enabled` is `'true'` or `'false'`. */
  attributes?: CustomerIODeviceAttributes;
}

/** A push-capable platform. */
export type CustomerIODevicePlatform = 'ios' | 'android';

/** A checked event. */
export interface ValidEvent {
  readonly name: string;
  readonly data?: CustomerIOEventData;
  /** `data` as JSON, serialized once while checking it. */
  readonly dataJson?: string;
  /** Unix seconds: the one given, or the time of the call. */
  readonly timestamp: number;
  readonly id?: string;
}

/** Checks an event's name, data and options. */
export function validEvent(
  name: string,
  data: CustomerIOEventData | undefined,
  options: TrackEventOptions = {},
  nameField = 'name',
): ValidEvent {
  checkName(name, nameField, CUSTOMERIO_LIMITS.eventNameBytes);
  return {
    name,
    data,
    dataJson: data === undefined ? undefined : checkEventData(data),
    timestamp: options.timestamp === undefined ? Math.floor(Date.now() / 1000) : toUnixSeconds(options.timestamp),
    id: options.id === undefined ? undefined : checkName(options.id, 'id'),
  };
}

/** The v1 body of an event (`POST /api/v1/customers/{id}/events`, `/api/v1/events`). */
export function v1EventBody({ name, data, timestamp, id }: ValidEvent): Record<string, unknown> {
  return {
    name,
    ...(data !== undefined && { data }),
    timestamp,
    ...(id !== undefined && { id }),
  };
}

/** Checks attributes; `Date` values become unix seconds, and a number `created_at` must be unix seconds. */
export function validAttributes(attributes: CustomerIOAttributes, field = 'attributes'): CustomerIOAttributes {
  checkAttributes(attributes, field);
  const out: CustomerIOAttributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    const timestamp = value instanceof Date || (key === 'created_at' && typeof value === 'number');
    out[key] = timestamp ? toUnixSeconds(value, `${field}.${key}`) : value;
  }
  return out;
}

/** Checks a device registration. */
export function validDevice(
  deviceId: string,
  platform: CustomerIODevicePlatform,
  options: CustomerIODeviceOptions = {},
) {
  return {
    id: checkName(deviceId, 'deviceId'),
    platform: checkOneOf(platform, 'platform', ['ios', 'android']),
    ...(options.lastUsed !== undefined && { lastUsed: toUnixSeconds(options.lastUsed, 'lastUsed') }),
    ...(options.attributes !== undefined && { attributes: deviceAttributes(options.attributes) }),
  };
}
