import type { IdentifierType } from 'customerio-node';
import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventData,
  CustomerIOTimestamp,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import {
  checkAttributes,
  checkEventData,
  checkName,
  checkOneOf,
  checkPersonId,
  toUnixSeconds,
} from './customerio-input.validator.js';

// NOTE: the direct client (v1 endpoints) and the queue (v2 operations) shape requests differently;
// both take their input through these checks, so a limit is enforced the same way on either path.

/** A person's id as Customer.io keys it (an id, an email, or `cio_<cio_id>`). */
export type CustomerIOPersonId = string | number;

/** One identifier of a person, as `mergeCustomers` takes it. */
export type CustomerIOPersonIdentifier = { id: string | number } | { email: string } | { cio_id: string };

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
  /** Device attributes. */
  attributes?: Record<string, unknown>;
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

/** Checks attributes; `Date` values become unix seconds. */
export function validAttributes(attributes: CustomerIOAttributes, field = 'attributes'): CustomerIOAttributes {
  checkAttributes(attributes, field);
  const out: CustomerIOAttributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    out[key] = value instanceof Date ? toUnixSeconds(value, `${field}.${key}`) : value;
  }
  return out;
}

/** Checks a device registration. */
export function validDevice(deviceId: string, platform: CustomerIODevicePlatform, options: CustomerIODeviceOptions = {}) {
  return {
    id: checkName(deviceId, 'deviceId'),
    platform: checkOneOf(platform, 'platform', ['ios', 'android']),
    ...(options.lastUsed !== undefined && { lastUsed: toUnixSeconds(options.lastUsed, 'lastUsed') }),
    ...(options.attributes !== undefined && { attributes: validAttributes(options.attributes) }),
  };
}

/** Checks a `{ id | email | cio_id }` identifier and returns its type and value. */
export function validIdentifier(value: CustomerIOPersonIdentifier, field: string): [IdentifierType, string] {
  const entries = Object.entries(value ?? {});
  if (entries.length !== 1) checkOneOf(undefined, field, ['{ id }', '{ email }', '{ cio_id }']);
  const [type, id] = entries[0];
  return [
    checkOneOf(type, `${field} identifier`, ['id', 'email', 'cio_id']) as IdentifierType,
    checkPersonId(id, `${field}.${type}`),
  ];
}

