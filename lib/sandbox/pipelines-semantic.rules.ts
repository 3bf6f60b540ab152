import { optional, requiredString } from './pipelines.rules.js';
import { fail, isObject, type Json, type OperationError } from './sandbox-validation.js';

// Rules of the semantic events: `track` calls whose `event` names an action Customer.io performs instead of recording
// an event (the Pipelines API document's `delete_person`, `suppress_person`, `unsuppress_person`,
// `create_update_device`, `delete_device`, `relationship_deleted`, `group_deleted`, `report_delivery_event`).

/** The semantic events the sandbox acts on, by `event`. */
export const SEMANTIC_EVENTS = [
  'User Deleted',
  'User Suppressed',
  'User Unsuppressed',
  'Device Created or Updated',
  'Device Deleted',
  'Relationship Deleted',
  'Object Deleted',
  'Report Delivery Event',
] as const;
/** A semantic event the sandbox acts on. */
export type SemanticEvent = (typeof SEMANTIC_EVENTS)[number];

/** Whether a `track` call's `event` is a semantic event the sandbox acts on. */
export const isSemanticEvent = (event: unknown): event is SemanticEvent =>
  SEMANTIC_EVENTS.includes(event as SemanticEvent);

/** `context.device.type` (`create_update_device`, `delete_device`). */
const DEVICE_TYPES = ['ios', 'android'];
/** `report_delivery_event.properties.metric`. */
const DELIVERY_METRICS = ['delivered', 'clicked', 'converted', 'opened'];
/** String properties of `report_delivery_event`. */
const DELIVERY_STRINGS = ['deliveryId', 'recipient', 'reason', 'actionValue', 'href'];

/**
 * Checks a `track` call that is a semantic event (others pass): always its required fields (`userId`, the device
 * token, the object id, the delivery's `properties`); `strict` adds the schema's other requirements and types.
 */
export function checkSemanticEvent(call: Json, strict: boolean): OperationError | undefined {
  const { event, properties } = call;
  if (!isSemanticEvent(event)) return undefined;
  switch (event) {
    case 'User Deleted':
    case 'User Suppressed':
    case 'User Unsuppressed':
      return requiredString(call.userId, 'userId');
    case 'Device Created or Updated':
    case 'Device Deleted':
      return requiredString(call.userId, 'userId') ?? checkDevice(call.context, strict);
    case 'Relationship Deleted':
      return requiredString(call.userId, 'userId') ?? checkObjectReference(properties, strict);
    case 'Object Deleted':
      return (
        (strict ? requiredString(call.anonymousId, 'anonymousId') : undefined) ??
        checkObjectReference(properties, strict)
      );
    case 'Report Delivery Event':
      return checkDelivery(properties, strict);
  }
}

/** `context.device`: a `token` (required), a `type` of `ios` or `android` (`strict`). */
function checkDevice(context: unknown, strict: boolean): OperationError | undefined {
  if (!isObject(context)) return fail('context', 'required');
  const { device } = context;
  if (!isObject(device)) return fail('context.device', 'required');
  const error = requiredString(device.token, 'context.device.token');
  if (error || !strict || device.type === undefined || DEVICE_TYPES.includes(device.type as string)) return error;
  return fail('context.device.type', `must be one of ${DEVICE_TYPES.join(', ')}`);
}

/**
 * `properties.objectId` (required; a number too when not strict) and `properties.objectTypeId` (an integer, default 1;
 * a string too when not strict).
 */
function checkObjectReference(properties: unknown, strict: boolean): OperationError | undefined {
  if (!isObject(properties)) return fail('properties', 'required');
  const { objectId, objectTypeId } = properties;
  if (!(strict ? typeof objectId === 'string' : ['string', 'number'].includes(typeof objectId)) || objectId === '')
    return fail('properties.objectId', objectId === undefined ? 'required' : 'must be a string');
  if (strict) return optional(objectTypeId, 'properties.objectTypeId', 'integer');
  if (objectTypeId !== undefined && !['string', 'number'].includes(typeof objectTypeId))
    return fail('properties.objectTypeId', 'must be an integer');
  return undefined;
}

/** `report_delivery_event.properties`: required; `strict`: its fields strings, `metric` one of the schema's. */
function checkDelivery(properties: unknown, strict: boolean): OperationError | undefined {
  if (!isObject(properties)) return fail('properties', 'required');
  if (!strict) return undefined;
  const bad = DELIVERY_STRINGS.find((name) => optional(properties[name], name, 'string'));
  if (bad) return fail(`properties.${bad}`, 'must be a string');
  const { metric } = properties;
  if (metric !== undefined && !DELIVERY_METRICS.includes(metric as string))
    return fail('properties.metric', `must be one of ${DELIVERY_METRICS.join(', ')}`);
  return undefined;
}

/** The key (`<objectTypeId>:<objectId>`, type 1 by default) of the object a `Relationship Deleted` or `Object Deleted` names. */
export function referencedObjectKey(properties: Json): string {
  return `${String(properties.objectTypeId ?? 1)}:${String(properties.objectId)}`;
}
