import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import { checkDevice } from './device.rules.js';
import { checkIdentifyFields } from './identify.rules.js';
import type { SandboxEvent } from './sandbox-records.interface.js';
import { applyObjectOperation, applyPersonRelationships } from './sandbox-objects.js';
import type { SandboxRecords } from './sandbox-records.js';
import {
  bytes,
  checkAttributes,
  checkEvent,
  checkPersonId,
  checkTimestamp,
  type EventInput,
  fail,
  identifierKey,
  isObject,
  type Json,
  MERGE_IDENTIFIERS,
  type OperationError,
  PERSON_IDENTIFIERS,
  V2_ACTIONS,
} from './sandbox-validation.js';

/** Entity types of a v2 operation (`person_operations`, `object_operations`, `delivery_operations`). */
const V2_TYPES = ['person', 'object', 'delivery'];
/** v2 actions recording a kind of event. */
const EVENT_ACTIONS: Record<string, SandboxEvent['type'] | undefined> = {
  event: 'event',
  page: 'page',
  screen: 'screen',
};

/**
 * The operations Customer.io performs, applied to the sandbox's records (internal to the sandbox).
 * Every method validates its input like Customer.io and returns the error instead of applying it.
 */
export class SandboxState {
  /**
   * @param strict apply Customer.io's published rules (types, enums, identifiers; see the README's sandbox
   * section), not only its limits.
   */
  constructor(
    private readonly records: SandboxRecords,
    readonly strict: boolean,
    /** The region `GET /api/v1/accounts/region` answers. */
    readonly region: 'us' | 'eu' = 'us',
  ) {}

  /**
   * Creates or updates a person; `_update: true` only updates an existing one. `api` says which schema the
   * attributes' reserved fields follow (the v1 body or the v2 `attributes`).
   */
  identify(personId: string, attributes: unknown, api: SandboxEvent['api']): OperationError | undefined {
    if (!isObject(attributes)) return fail('attributes', 'attributes must be an object');
    const error =
      checkPersonId(personId) ??
      checkAttributes(attributes, 'attributes') ??
      (this.strict ? checkIdentifyFields(attributes, api === 'v1' ? '' : 'attributes.') : undefined);
    if (error) return error;
    if (attributes._update === true && !this.records.people.has(personId)) return undefined;
    const person = this.records.person(personId);
    for (const [name, value] of Object.entries(attributes)) {
      if (!name.startsWith('_')) person.attributes[name] = value;
    }
    return undefined;
  }

  /** Deletes a person (present or not) and records the deletion. */
  delete(personId: string): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    this.records.people.delete(personId);
    this.records.add('deletedPeople', personId);
    return undefined;
  }

  /** Records an event unless its `id` was seen before (then it only counts the duplicate). */
  event(input: EventInput): OperationError | undefined {
    const error = checkEvent(input, this.strict);
    if (error) return error;
    const { name, data, timestamp, id, anonymousId } = input;
    if (typeof id === 'string' && this.records.isDuplicateEvent(id)) return undefined;
    // NOTE: assigned one by one rather than spread: this runs for every event of every batch.
    const event: SandboxEvent = { name: name as string, type: input.type, data: (data ?? {}) as Json, api: input.api };
    if (typeof id === 'string') event.id = id;
    if (input.personId !== undefined) event.personId = input.personId;
    if (typeof anonymousId === 'string') event.anonymousId = anonymousId;
    if (typeof timestamp === 'number') event.timestamp = timestamp;
    this.records.add('events', event);
    return undefined;
  }

  /** Adds or replaces a device (`token` is v1 `id` or v2 `token`), creating the person if needed. */
  addDevice(personId: string, device: unknown, tokenField: 'id' | 'token'): OperationError | undefined {
    const personError = checkPersonId(personId);
    if (personError) return personError;
    const stored = checkDevice(device, 'device', tokenField, this.strict);
    if ('reason' in stored) return stored;
    this.records.person(personId).devices[stored.id] = stored;
    return undefined;
  }

  /** Removes a device from a person, if both exist. */
  deleteDevice(personId: string, token: unknown, field = 'device_id'): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    if (typeof token !== 'string' || token.trim() === '') return fail(field, `${field} is required`);
    if (this.records.people.has(personId)) delete this.records.person(personId).devices[token];
    return undefined;
  }

  /** Suppresses (creating the person if needed) or unsuppresses (if present) a person. */
  setSuppressed(personId: string, suppressed: boolean): OperationError | undefined {
    const error = checkPersonId(personId);
    if (error) return error;
    if (suppressed) this.records.person(personId).suppressed = true;
    else if (this.records.people.has(personId)) this.records.person(personId).suppressed = false;
    return undefined;
  }

  /**
   * Merges `secondary` into `primary` (which must exist): the secondary's attributes and devices
   * are copied where the primary has none, then the secondary is removed.
   */
  merge(primaryIds: unknown, secondaryIds: unknown): OperationError | undefined {
    const primary = identifierKey(primaryIds, 'primary', MERGE_IDENTIFIERS, this.strict);
    if ('reason' in primary) return primary;
    const secondary = identifierKey(secondaryIds, 'secondary', MERGE_IDENTIFIERS, this.strict);
    if ('reason' in secondary) return secondary;
    if (!this.records.people.has(primary.key)) return fail('primary', `primary person "${primary.key}" does not exist`);
    this.records.mergePerson(secondary.key, primary.key);
    this.records.add('merges', { primary: primary.pair, secondary: secondary.pair });
    return undefined;
  }

  /** Validates and applies one v2 operation (`/api/v2/entity` or an item of `/api/v2/batch`) of `size` bytes as sent. */
  applyOperation(op: unknown, size = bytes(JSON.stringify(op) ?? '')): OperationError | undefined {
    if (!isObject(op)) return fail(undefined, 'operation must be an object');
    if (size > CUSTOMERIO_LIMITS.batchOperationBytes) {
      return fail(undefined, `operation is larger than ${CUSTOMERIO_LIMITS.batchOperationBytes} bytes`, 'too_large');
    }
    if (typeof op.type !== 'string') return fail('type', 'type is required');
    if (op.type === 'object') return applyObjectOperation(this.records, op, this.strict);
    if (op.type !== 'person') {
      if (!V2_TYPES.includes(op.type)) return fail('type', `type must be one of ${V2_TYPES.join(', ')}`);
      return fail('type', `type "${op.type}" is not supported by the sandbox`, 'unsupported');
    }
    if (typeof op.action !== 'string' || !V2_ACTIONS.has(op.action)) {
      return fail('action', `action must be one of ${[...V2_ACTIONS].join(', ')}`);
    }
    if (op.action === 'merge') return this.merge(op.primary, op.secondary);
    const eventType = EVENT_ACTIONS[op.action];
    const { name, attributes, timestamp, id } = op;
    const anonymousId = this.#anonymousId(op, eventType !== undefined);
    if (anonymousId !== undefined)
      return this.event({ name, type: eventType ?? 'event', data: attributes, timestamp, id, anonymousId, api: 'v2' });
    const identifiers = identifierKey(op.identifiers, 'identifiers', PERSON_IDENTIFIERS, this.strict);
    if ('reason' in identifiers) return identifiers;
    const personId = identifiers.key;
    switch (op.action) {
      case 'identify':
        return (
          (this.strict ? checkTimestamp(timestamp, 'timestamp') : undefined) ??
          this.identify(personId, attributes ?? {}, 'v2')
        );
      case 'delete':
        return this.delete(personId);
      case 'add_device':
        return this.addDevice(personId, op.device, 'token');
      case 'delete_device':
        return this.deleteDevice(personId, isObject(op.device) ? op.device.token : undefined, 'device.token');
      case 'suppress':
      case 'unsuppress':
        return this.setSuppressed(personId, op.action === 'suppress');
      case 'add_relationships':
      case 'delete_relationships':
        return applyPersonRelationships(this.records, personId, op, this.strict);
      default:
        return this.event({ personId, name, type: eventType ?? 'event', data: attributes, timestamp, id, api: 'v2' });
    }
  }

  /**
   * The `anonymous_id` of an anonymous v2 event: `identifiers: { anonymous_id }` (the form Customer.io's Segment
   * destination sends; not in the published spec), or, when not strict, a top-level `anonymous_id` without identifiers.
   */
  #anonymousId(op: Json, isEvent: boolean): unknown {
    if (!isEvent) return undefined;
    const { identifiers } = op;
    if (isObject(identifiers) && Object.keys(identifiers).length === 1 && 'anonymous_id' in identifiers) {
      return typeof identifiers.anonymous_id === 'string' && identifiers.anonymous_id !== ''
        ? identifiers.anonymous_id
        : null;
    }
    return !this.strict && identifiers === undefined ? op.anonymous_id : undefined;
  }
}
