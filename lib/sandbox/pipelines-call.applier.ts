import { isSemanticEvent, referencedObjectKey, type SemanticEvent } from './pipelines-semantic.rules.js';
import type { PipelinesCallKind } from './pipelines.rules.js';
import type { SandboxEvent } from './sandbox-records.interface.js';
import type { SandboxRecords } from './sandbox-records.js';
import { isObject, type Json } from './sandbox-validation.js';

/** Pipelines `properties` of `Report Delivery Event` to the Track API metric fields they are recorded as. */
const METRIC_FIELDS: Record<string, string> = {
  deliveryId: 'delivery_id',
  metric: 'metric',
  recipient: 'recipient',
  reason: 'reason',
  actionValue: 'action_value',
  href: 'href',
};

/** Unix seconds of an ISO 8601 date-time; `undefined` for anything else. */
function unixSeconds(value: unknown): number | undefined {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Applies a checked Pipelines call (see `checkPipelinesCall`, `checkSemanticEvent`) to the sandbox's records, as
 * Customer.io's Track API calls of the same meaning are: identify → `people` (an `anonymousId` alone keys its own
 * profile, which an identify with both ids or an alias merges into the `userId`'s), track/page/screen → `events`,
 * group → `objects` and a relationship, alias → `aliases`, semantic events → their action. A call whose `messageId`
 * was applied before is only counted in `duplicateEvents` (internal to the sandbox).
 */
export function applyPipelinesCall(records: SandboxRecords, kind: PipelinesCallKind, call: Json): void {
  if (typeof call.messageId === 'string' && records.isDuplicateEvent(call.messageId)) return;
  const userId = call.userId as string | undefined;
  const anonymousId = call.anonymousId as string | undefined;
  const personId = userId ?? anonymousId;
  switch (kind) {
    case 'identify': {
      const person = userId && anonymousId ? records.mergePerson(anonymousId, userId) : records.person(personId!);
      Object.assign(person.attributes, call.traits);
      return;
    }
    case 'track':
      if (isSemanticEvent(call.event)) return applySemanticEvent(records, call.event, call);
      return recordEvent(records, call, 'event', call.event as string);
    case 'page': {
      const url = isObject(call.properties) ? call.properties.url : undefined;
      return recordEvent(records, call, 'page', (call.name ?? (typeof url === 'string' ? url : '')) as string);
    }
    case 'screen':
      return recordEvent(records, call, 'screen', (call.name ?? '') as string);
    case 'group': {
      const { object_type_id: typeId, relationshipAttributes, ...attributes } = (call.traits ?? {}) as Json;
      const object = records.object(`${String(typeId ?? 1)}:${call.groupId as string}`);
      Object.assign(object.attributes, attributes);
      object.relationships[personId!] = (relationshipAttributes ?? {}) as Json;
      return;
    }
    case 'alias': {
      const previousId = call.previousId as string;
      records.mergePerson(previousId, userId!);
      records.add('aliases', { previousId, userId: userId! });
    }
  }
}

function recordEvent(records: SandboxRecords, call: Json, type: SandboxEvent['type'], name: string): void {
  const event: SandboxEvent = { name, type, data: (call.properties ?? {}) as Json, api: 'pipelines' };
  const { messageId, userId, anonymousId } = call;
  if (typeof messageId === 'string') event.id = messageId;
  if (userId !== undefined || anonymousId !== undefined) event.personId = (userId ?? anonymousId) as string;
  if (anonymousId !== undefined) event.anonymousId = anonymousId as string;
  const timestamp = unixSeconds(call.timestamp);
  if (timestamp !== undefined) event.timestamp = timestamp;
  records.add('events', event);
}

/** Performs the action of a semantic event (its fields checked by `checkSemanticEvent`). */
function applySemanticEvent(records: SandboxRecords, event: SemanticEvent, call: Json): void {
  const userId = call.userId as string;
  const properties = (call.properties ?? {}) as Json;
  const device = isObject(call.context) && isObject(call.context.device) ? call.context.device : {};
  switch (event) {
    case 'User Deleted':
      records.people.delete(userId);
      records.add('deletedPeople', userId);
      return;
    case 'User Suppressed':
      records.person(userId).suppressed = true;
      return;
    case 'User Unsuppressed':
      if (records.people.has(userId)) records.person(userId).suppressed = false;
      return;
    case 'Device Created or Updated': {
      const token = device.token as string;
      const platform = typeof device.type === 'string' ? device.type : '';
      records.person(userId).devices[token] = {
        id: token,
        platform,
        ...(call.properties !== undefined && { attributes: properties }),
      };
      return;
    }
    case 'Device Deleted':
      if (records.people.has(userId)) delete records.person(userId).devices[device.token as string];
      return;
    case 'Relationship Deleted': {
      const key = referencedObjectKey(properties);
      if (records.objects.has(key)) delete records.object(key).relationships[userId];
      return;
    }
    case 'Object Deleted':
      records.objects.delete(referencedObjectKey(properties));
      return;
    case 'Report Delivery Event': {
      const metric: Json = {};
      for (const [from, to] of Object.entries(METRIC_FIELDS)) {
        if (properties[from] !== undefined) metric[to] = properties[from];
      }
      const timestamp = unixSeconds(call.timestamp);
      if (timestamp !== undefined) metric.timestamp = timestamp;
      records.add('metrics', metric);
    }
  }
}
