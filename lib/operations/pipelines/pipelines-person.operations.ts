import { CustomerIOConfigError } from '../../errors/customerio.errors.js';
import { PIPELINES_OPTION_UNSUPPORTED } from '../../errors/customerio.messages.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventData,
  TrackEventOptions,
} from '../../interfaces/customerio-events.interface.js';
import { checkName, checkOneOf, toUnixSeconds } from '../../validation/input.checks.js';
import { CUSTOMERIO_LIMITS } from '../../customerio.constants.js';
import { validAttributes } from '../attribute-values.js';
import { validEvent } from '../checked-event.js';
import { deviceAttributes } from '../device-attributes.js';
import type { CustomerIODeviceOptions, CustomerIODevicePlatform } from '../device.operation.js';
import type { PersonEventAction } from '../event.operation.js';
import type { IdentifyOptions } from '../identify.operation.js';
import type { Operation } from '../operation.interface.js';
import { members } from '../person-operation.js';
import {
  type PipelinesCallType,
  pipelinesJson,
  pipelinesOperation,
  pipelinesUserId,
  type PipelinesSubject,
  userSubject,
} from './pipelines-call.js';

/** The Pipelines call of each kind of person event. */
const EVENT_CALL: Record<PersonEventAction, PipelinesCallType> = { event: 'track', page: 'page', screen: 'screen' };
/** What names an event's name in errors: a page view's is its `path`. */
const NAME_FIELD = { event: 'name', page: 'path', screen: 'name' } as const;

/** `identify` with `traits` (and `timestamp`). `Date` attribute values become unix seconds, as on the Track API. */
export function pipelinesIdentify(
  personId: unknown,
  attributes: CustomerIOAttributes = {},
  options: IdentifyOptions = {},
): Operation {
  const userId = pipelinesUserId(personId);
  if (options.updateOnly) {
    throw new CustomerIOConfigError('api', PIPELINES_OPTION_UNSUPPORTED('identify', 'updateOnly'));
  }
  const traits = validAttributes(attributes);
  const timestamp = options.timestamp === undefined ? undefined : toUnixSeconds(options.timestamp);
  return pipelinesOperation(
    userId,
    'identify',
    pipelinesJson('identify', userSubject(userId), members({ traits }), timestamp),
  );
}

/** An event of `subject`: `track` with `event` and `properties`, or `page` / `screen` with `name` and `properties`. */
function eventOperation(
  key: string,
  subject: PipelinesSubject,
  call: PipelinesCallType,
  name: string,
  data: CustomerIOEventData | undefined,
  options: TrackEventOptions | undefined,
  nameField: string,
): Operation {
  const event = validEvent(name, data, options, nameField);
  // NOTE: the member names as constant text: each piece of a template is a string made on every call.
  const properties = event.dataJson === undefined ? '' : `,"properties":${event.dataJson}`;
  const body = `${call === 'track' ? ',"event":' : ',"name":'}${JSON.stringify(event.name)}${properties}`;
  return pipelinesOperation(key, call, pipelinesJson(call, subject, body, event.timestamp, event.id));
}

/** A person's event, page view or screen view: `track`, `page` or `screen`, with its time. */
export function pipelinesEvent(
  personId: unknown,
  action: PersonEventAction,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const userId = pipelinesUserId(personId);
  return eventOperation(userId, userSubject(userId), EVENT_CALL[action], name, data, options, NAME_FIELD[action]);
}

/** An event of someone not identified yet: `track` with `anonymousId`, keyed by it. */
export function pipelinesAnonymousEvent(
  anonymousId: string,
  name: string,
  data?: CustomerIOEventData,
  options?: TrackEventOptions,
): Operation {
  const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
  const subject = `,"anonymousId":${JSON.stringify(anonymous)}`;
  return eventOperation(anonymous, subject, 'track', name, data, options, 'name');
}

/**
 * A semantic event of `userId` (checked by the caller, before the rest of its input): a `track` call whose `event`
 * name Customer.io acts on (`User Deleted`, `Device Deleted`…).
 */
function semanticEvent(userId: string, event: string, fields: Record<string, unknown> = {}): Operation {
  const body = `,"event":${JSON.stringify(event)}${members(fields)}`;
  return pipelinesOperation(userId, 'track', pipelinesJson('track', userSubject(userId), body));
}

/** Deleting a person: the semantic event `User Deleted`. */
export const pipelinesDestroy = (personId: unknown): Operation =>
  semanticEvent(pipelinesUserId(personId), 'User Deleted');

/** Suppressing a person: `User Suppressed`. */
export const pipelinesSuppress = (personId: unknown): Operation =>
  semanticEvent(pipelinesUserId(personId), 'User Suppressed');

/** Lifting a suppression: `User Unsuppressed`. */
export const pipelinesUnsuppress = (personId: unknown): Operation =>
  semanticEvent(pipelinesUserId(personId), 'User Unsuppressed');

/**
 * Registering a device: `Device Created or Updated` with `context.device` (`token`, `type`); the device's attributes
 * (and `last_used`, unix seconds) are its `properties`.
 */
export function pipelinesAddDevice(
  personId: unknown,
  deviceId: string,
  platform: CustomerIODevicePlatform,
  options: CustomerIODeviceOptions = {},
): Operation {
  const userId = pipelinesUserId(personId);
  const token = checkName(deviceId, 'deviceId');
  const type = checkOneOf(platform, 'platform', ['ios', 'android']);
  const lastUsed = options.lastUsed === undefined ? undefined : toUnixSeconds(options.lastUsed, 'lastUsed');
  const attributes = options.attributes === undefined ? {} : deviceAttributes(options.attributes);
  const properties = { ...attributes, ...(lastUsed !== undefined && { last_used: lastUsed }) };
  return semanticEvent(userId, 'Device Created or Updated', {
    context: { device: { token, type } },
    ...(Object.keys(properties).length > 0 && { properties }),
  });
}

/** Removing a device: `Device Deleted` with `context.device.token`. */
export function pipelinesDeleteDevice(personId: unknown, deviceId: string): Operation {
  const userId = pipelinesUserId(personId);
  const token = checkName(deviceId, 'deviceId');
  return semanticEvent(userId, 'Device Deleted', { context: { device: { token } } });
}
