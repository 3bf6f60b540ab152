import { CUSTOMERIO_LIMITS } from '../../customerio.constants.js';
import type {
  SandboxBatch,
  SandboxBroadcast,
  SandboxDevice,
  SandboxEvent,
  SandboxMerge,
  SandboxPerson,
  SandboxTransactional,
} from './sandbox.interface.js';

/** Why the sandbox refused a request or a v2 operation (internal). */
export interface OperationError {
  /** Machine-readable reason: `invalid`, `unsupported`, `too_large`. */
  reason: string;
  /** The offending field, when one is to blame. */
  field?: string;
  /** Human-readable explanation. */
  message: string;
}

/** An event about to be recorded, before validation (internal). */
export interface EventInput {
  /** Identifier of the person the event is about (absent for anonymous events). */
  personId?: string;
  /** `anonymous_id` (v1 body, or a v2 operation without identifiers), as sent. */
  anonymousId?: unknown;
  /** Event name, as sent. */
  name: unknown;
  /** Kind of event. */
  type: SandboxEvent['type'];
  /** Event data (v1 `data`, v2 `attributes`), as sent. */
  data: unknown;
  /** `timestamp`, as sent. */
  timestamp: unknown;
  /** Deduplication `id`, as sent. */
  id: unknown;
  /** Track API version the event came through. */
  api: SandboxEvent['api'];
}

type Json = Record<string, unknown>;

const V2_OP_BYTES = 32_000;
const V2_ACTIONS = new Set([
  'identify',
  'delete',
  'event',
  'page',
  'screen',
  'add_device',
  'delete_device',
  'merge',
  'suppress',
  'unsuppress',
]);

const bytes = (value: string): number => Buffer.byteLength(value, 'utf8');
const fail = (field: string | undefined, message: string, reason = 'invalid'): OperationError =>
  field === undefined ? { reason, message } : { reason, field, message };

/** Whether `value` is a plain JSON object (not null, not an array). */
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a person identifier against Customer.io's rules; returns the error, if any. */
function checkPersonId(id: string, field = 'id'): OperationError | undefined {
  if (id.trim() === '') return fail(field, 'person identifier is blank');
  if (bytes(id) > CUSTOMERIO_LIMITS.personIdBytes) {
    return fail(field, `person identifier is longer than ${CUSTOMERIO_LIMITS.personIdBytes} bytes`);
  }
  return undefined;
}

/** Checks a set of person attributes against Customer.io's limits. */
function checkAttributes(attributes: Json, field: string): OperationError | undefined {
  const names = Object.keys(attributes).filter((name) => !name.startsWith('_'));
  if (names.length > CUSTOMERIO_LIMITS.attributeCount) {
    return fail(field, `more than ${CUSTOMERIO_LIMITS.attributeCount} attributes`);
  }
  for (const name of names) {
    if (bytes(name) > CUSTOMERIO_LIMITS.attributeNameBytes) {
      return fail(field, `attribute name "${name.slice(0, 20)}…" is longer than ${CUSTOMERIO_LIMITS.attributeNameBytes} bytes`);
    }
    const value = attributes[name];
    const size = typeof value === 'string' ? bytes(value) : bytes(JSON.stringify(value) ?? '');
    if (size > CUSTOMERIO_LIMITS.attributeValueBytes) {
      return fail(`${field}.${name}`, `attribute "${name}" is longer than ${CUSTOMERIO_LIMITS.attributeValueBytes} bytes`);
    }
  }
  return undefined;
}

/** Checks an event against Customer.io's rules and limits. */
function checkEvent({ personId, name, data, timestamp, id, anonymousId, api }: EventInput): OperationError | undefined {
  const dataField = api === 'v1' ? 'data' : 'attributes';
  if (personId !== undefined) {
    const error = checkPersonId(personId);
    if (error) return error;
  }
  if (typeof name !== 'string' || name.trim() === '') return fail('name', 'event name is required');
  if (bytes(name) > CUSTOMERIO_LIMITS.eventNameBytes) {
    return fail('name', `event name is longer than ${CUSTOMERIO_LIMITS.eventNameBytes} bytes`);
  }
  if (data !== undefined && !isObject(data)) return fail(dataField, `${dataField} must be an object`);
  // NOTE: a v2 operation is at most 32 KB, so its data is within the 100 KB limit: no need to measure it.
  if (api === 'v1' && bytes(JSON.stringify(data ?? {})) > CUSTOMERIO_LIMITS.eventDataBytes) {
    return fail(dataField, `event data is larger than ${CUSTOMERIO_LIMITS.eventDataBytes} bytes`);
  }
  if (timestamp !== undefined && typeof timestamp !== 'number') return fail('timestamp', 'timestamp must be unix seconds');
  if (id !== undefined && typeof id !== 'string') return fail('id', 'id must be a string');
  if (anonymousId !== undefined && typeof anonymousId !== 'string') {
    return fail('anonymous_id', 'anonymous_id must be a string');
  }
  return undefined;
}

/** Maps `{id|email|cio_id: value}` (exactly one key) to the key people are stored under. */
function identifierKey(identifiers: unknown, field: string): { key: string; pair: Record<string, string> } | OperationError {
  const entries = isObject(identifiers) ? Object.entries(identifiers) : [];
  const [name, value] = entries[0] ?? [];
  if (entries.length !== 1 || !['id', 'email', 'cio_id'].includes(name as string)) {
    return fail(field, `${field} must have exactly one of id, email, cio_id`);
  }
  if (typeof value !== 'string' && typeof value !== 'number') return fail(field, `${field}.${name} must be a string`);
  const text = String(value);
  const error = checkPersonId(text, field);
  if (error) return error;
  return { key: name === 'cio_id' ? `cio_${text}` : text, pair: { [name as string]: text } };
}

/**
 * What the sandbox recorded, and the operations Customer.io performs on it (internal to the sandbox).
 * Every method validates its input like Customer.io and returns the error instead of applying it.
 */
export class SandboxState {
  /** People by identifier. */
  readonly people = new Map<string, SandboxPerson>();
  /** Accepted events, page views and screens, in arrival order. */
  readonly events: SandboxEvent[] = [];
  /** Identifiers of deleted people, in order. */
  readonly deletedPeople: string[] = [];
  /** Accepted merges, in order. */
  readonly merges: SandboxMerge[] = [];
  /** Bodies of push metrics requests. */
  readonly metrics: Json[] = [];
  /** Accepted transactional messages. */
  readonly transactional: SandboxTransactional[] = [];
  /** Accepted broadcast triggers. */
  readonly broadcasts: SandboxBroadcast[] = [];
  /** Processed v2 batch requests. */
  readonly batches: SandboxBatch[] = [];
  /** Events ignored because their `id` was seen before. */
  duplicateEvents = 0;
  private readonly eventIds = new Set<string>();

  /** Forgets everything, keeping the same collections. */
  reset(): void {
    this.people.clear();
    this.eventIds.clear();
    for (const list of [this.events, this.deletedPeople, this.merges, this.metrics, this.transactional, this.broadcasts, this.batches]) {
      list.length = 0;
    }
    this.duplicateEvents = 0;
  }

  /** Creates or updates a person; `_update: true` only updates an existing one. */
  identify(personId: string, attributes: unknown): OperationError | undefined {
    if (!isObject(attributes)) return fail('attributes', 'attributes must be an object');
    const error = checkPersonId(personId) ?? checkAttributes(attributes, 'attributes');
    if (error) return error;
    if (attributes._update === true && !this.people.has(personId)) return undefined;
    const person = this.person(personId);
    for (const [name, value] of Object.entries(attributes)) {
      if (!name.startsWith('_')) person.attributes[name] = value;
    }
    return undefined;
  }

  /** Deletes a person (present or not) and records the deletion. */
  delete(personId: string): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    this.people.delete(personId);
    this.deletedPeople.push(personId);
    return undefined;
  }

  /** Records an event unless its `id` was seen before (then it only counts the duplicate). */
  event(input: EventInput): OperationError | undefined {
    const error = checkEvent(input);
    if (error) return error;
    const { name, data, timestamp, id, anonymousId } = input;
    if (typeof id === 'string') {
      if (this.eventIds.has(id)) {
        this.duplicateEvents += 1;
        return undefined;
      }
      this.eventIds.add(id);
    }
    // NOTE: assigned one by one rather than spread: this runs for every event of every batch.
    const event: SandboxEvent = { name: name as string, type: input.type, data: (data ?? {}) as Json, api: input.api };
    if (typeof id === 'string') event.id = id;
    if (input.personId !== undefined) event.personId = input.personId;
    if (typeof anonymousId === 'string') event.anonymousId = anonymousId;
    if (typeof timestamp === 'number') event.timestamp = timestamp;
    this.events.push(event);
    return undefined;
  }

  /** Adds or replaces a device (`token` is v1 `id` or v2 `token`), creating the person if needed. */
  addDevice(personId: string, device: unknown, tokenField: 'id' | 'token'): OperationError | undefined {
    const personError = checkPersonId(personId);
    if (personError) return personError;
    if (!isObject(device)) return fail('device', 'device must be an object');
    const { [tokenField]: token, platform, last_used: lastUsed, attributes } = device;
    if (typeof token !== 'string' || token.trim() === '') return fail(`device.${tokenField}`, `device.${tokenField} is required`);
    if (typeof platform !== 'string' || platform.trim() === '') return fail('device.platform', 'device.platform is required');
    if (lastUsed !== undefined && typeof lastUsed !== 'number') return fail('device.last_used', 'last_used must be unix seconds');
    if (attributes !== undefined && !isObject(attributes)) return fail('device.attributes', 'device.attributes must be an object');
    const stored: SandboxDevice = {
      id: token,
      platform,
      ...(lastUsed !== undefined && { lastUsed }),
      ...(attributes !== undefined && { attributes }),
    };
    this.person(personId).devices[token] = stored;
    return undefined;
  }

  /** Removes a device from a person, if both exist. */
  deleteDevice(personId: string, token: unknown, field = 'device_id'): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    if (typeof token !== 'string' || token.trim() === '') return fail(field, `${field} is required`);
    const person = this.people.get(personId);
    if (person) delete person.devices[token];
    return undefined;
  }

  /** Suppresses (creating the person if needed) or unsuppresses (if present) a person. */
  setSuppressed(personId: string, suppressed: boolean): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    if (suppressed) this.person(personId).suppressed = true;
    else if (this.people.has(personId)) this.person(personId).suppressed = false;
    return undefined;
  }

  /**
   * Merges `secondary` into `primary` (which must exist): the secondary's attributes and devices
   * are copied where the primary has none, then the secondary is removed.
   */
  merge(primaryIds: unknown, secondaryIds: unknown): OperationError | undefined {
    const primary = identifierKey(primaryIds, 'primary');
    if ('reason' in primary) return primary;
    const secondary = identifierKey(secondaryIds, 'secondary');
    if ('reason' in secondary) return secondary;
    const target = this.people.get(primary.key);
    if (!target) return fail('primary', `primary person "${primary.key}" does not exist`);
    const source = this.people.get(secondary.key);
    if (source && source !== target) {
      target.attributes = { ...source.attributes, ...target.attributes };
      target.devices = { ...source.devices, ...target.devices };
      this.people.delete(secondary.key);
    }
    this.merges.push({ primary: primary.pair, secondary: secondary.pair });
    return undefined;
  }

  /** Validates and applies one v2 operation (`/api/v2/entity` or an item of `/api/v2/batch`) of `size` bytes as sent. */
  applyOperation(op: unknown, size = bytes(JSON.stringify(op) ?? '')): OperationError | undefined {
    if (!isObject(op)) return fail(undefined, 'operation must be an object');
    if (size > V2_OP_BYTES) {
      return fail(undefined, `operation is larger than ${V2_OP_BYTES} bytes`, 'too_large');
    }
    if (typeof op.type !== 'string') return fail('type', 'type is required');
    if (op.type !== 'person') return fail('type', `type "${op.type}" is not supported by the sandbox`, 'unsupported');
    if (typeof op.action !== 'string' || !V2_ACTIONS.has(op.action)) {
      return fail('action', `action must be one of ${[...V2_ACTIONS].join(', ')}`);
    }
    if (op.action === 'merge') return this.merge(op.primary, op.secondary);
    const eventType = op.action === 'event' ? 'event' : op.action === 'page' || op.action === 'screen' ? op.action : undefined;
    if (eventType && op.identifiers === undefined && op.anonymous_id !== undefined) {
      const { name, attributes: data, timestamp, id, anonymous_id: anonymousId } = op;
      return this.event({ name, type: eventType, data, timestamp, id, anonymousId, api: 'v2' });
    }
    const identifiers = identifierKey(op.identifiers, 'identifiers');
    if ('reason' in identifiers) return identifiers;
    const personId = identifiers.key;
    switch (op.action) {
      case 'identify':
        return this.identify(personId, op.attributes ?? {});
      case 'delete':
        return this.delete(personId);
      case 'add_device':
        return this.addDevice(personId, op.device, 'token');
      case 'delete_device':
        return this.deleteDevice(personId, isObject(op.device) ? op.device.token : undefined, 'device.token');
      case 'suppress':
      case 'unsuppress':
        return this.setSuppressed(personId, op.action === 'suppress');
      default:
        return this.event({
          personId,
          name: op.name,
          type: eventType ?? 'event',
          data: op.attributes,
          timestamp: op.timestamp,
          id: op.id,
          api: 'v2',
        });
    }
  }

  /** The person stored under `personId`, created empty if absent. */
  private person(personId: string): SandboxPerson {
    let person = this.people.get(personId);
    if (!person) {
      person = { id: personId, attributes: {}, devices: {}, suppressed: false };
      this.people.set(personId, person);
    }
    return person;
  }
}
