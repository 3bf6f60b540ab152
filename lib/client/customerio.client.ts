import { inspect } from 'node:util';
import { Injectable } from '@nestjs/common';
import { CUSTOMERIO_LIMITS } from '../customerio.constants.js';
import type { CustomerIOQueueStats } from '../interfaces/customerio-queue-stats.interface.js';
import { CustomerIOQueue } from '../delivery/customerio-queue.service.js';
import type { CustomerIOReceipt } from '../delivery/customerio-receipt.js';
import {
  anonymousEventOperation,
  eventOperation,
  mergeOperation,
  type PersonOperation,
  personOperation,
} from '../operations/person-operation.builder.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventName,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import {
  CustomerIODirectClient,
  type CustomerIOBroadcastOptions,
  type CustomerIOEmailMessage,
  type CustomerIOMetric,
  type CustomerIOPushMessage,
  type CustomerIOPushMetric,
  type CustomerIOSmsMessage,
} from './customerio-direct.client.js';
import {
  type CustomerIOMergeIdentifier,
  type CustomerIOPersonId,
  MERGE_IDENTIFIER_TYPES,
  resolvePerson,
} from '../operations/person-identifier.js';
import type { CustomerIOFormData } from '../operations/form-submission.operation.js';
import type { CustomerIOObjectIdentifier } from '../operations/object-identifier.js';
import {
  type CustomerIOObjectRelationship,
  deleteObjectOperation,
  identifyObjectOperation,
  type IdentifyObjectOptions,
  objectRelationshipsOperation,
} from '../operations/object.operation.js';
import { type CustomerIORelationship, personRelationshipsOperation } from '../operations/relationship.operation.js';
import { checkName, toUnixSeconds } from '../validation/input.checks.js';
import {
  type CustomerIODeviceOptions,
  type CustomerIODevicePlatform,
  type IdentifyOptions,
  validAttributes,
  validDevice,
  validEvent,
} from '../operations/customerio-payloads.js';
import type { CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';

/**
 * The Customer.io client: one instance for the whole application, through DI.
 *
 * Person operations (`identify`, `track`, `trackAnonymous`, `trackPageView`, `trackScreen`, `destroy`, `suppress`,
 * `unsuppress`, `addDevice`, `deleteDevice`, `mergeCustomers`) are checked at the call site — bad input
 * throws {@link CustomerIOValidationError} there — then queued and sent in batches; they return at once
 * with a {@link CustomerIOReceipt} (`await receipt.delivered` to wait for Customer.io's answer). Each
 * person's operations reach Customer.io in the order they were made.
 *
 * `direct` is the awaitable path, one request per call; operations with no batch form (metrics,
 * transactional messages, broadcasts) always take it.
 */
@Injectable()
export class CustomerIOClient {
  constructor(
    /** The awaitable path: each call is one request, resolved when Customer.io accepted it. */
    readonly direct: CustomerIODirectClient,
    private readonly queue: CustomerIOQueue,
  ) {}

  /** Queues creating or updating a person. `Date` attribute values are sent as unix seconds. */
  identify(
    personId: CustomerIOPersonId,
    attributes: CustomerIOAttributes = {},
    options: IdentifyOptions = {},
  ): CustomerIOReceipt {
    const id = resolvePerson(personId);
    const checked = validAttributes(attributes);
    if (options.updateOnly) checked._update = true;
    const timestamp = options.timestamp === undefined ? undefined : toUnixSeconds(options.timestamp);
    return this.#enqueue(
      personOperation(id, 'identify', { attributes: checked, ...(timestamp !== undefined && { timestamp }) }),
    );
  }

  /** Queues an event of a person; the name and data are checked against the declared events. */
  track<N extends CustomerIOEventName>(
    personId: CustomerIOPersonId,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): CustomerIOReceipt {
    const id = resolvePerson(personId);
    return this.#enqueue(eventOperation(id, 'event', validEvent(name, data, options)));
  }

  /** Queues an event of someone not identified yet, keyed by their anonymous id. */
  trackAnonymous<N extends CustomerIOEventName>(
    anonymousId: string,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): CustomerIOReceipt {
    const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
    return this.#enqueue(anonymousEventOperation(anonymous, validEvent(name, data, options)));
  }

  /** Queues a page view of a person (`path` is usually the URL). */
  trackPageView(
    personId: CustomerIOPersonId,
    path: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): CustomerIOReceipt {
    const id = resolvePerson(personId);
    return this.#enqueue(eventOperation(id, 'page', validEvent(path, data, options, 'path')));
  }

  /** Queues a mobile screen view of a person (`name` is the screen's name). */
  trackScreen(
    personId: CustomerIOPersonId,
    name: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): CustomerIOReceipt {
    const id = resolvePerson(personId);
    return this.#enqueue(eventOperation(id, 'screen', validEvent(name, data, options)));
  }

  /** Queues deleting a person. */
  destroy(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(personOperation(resolvePerson(personId), 'delete'));
  }

  /** Queues suppressing a person: Customer.io deletes them and ignores their id from then on. */
  suppress(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(personOperation(resolvePerson(personId), 'suppress'));
  }

  /** Queues lifting a suppression. */
  unsuppress(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(personOperation(resolvePerson(personId), 'unsuppress'));
  }

  /** Queues registering (or updating) a person's device for push. */
  addDevice(
    personId: CustomerIOPersonId,
    deviceId: string,
    platform: CustomerIODevicePlatform,
    options: CustomerIODeviceOptions = {},
  ): CustomerIOReceipt {
    const id = resolvePerson(personId);
    const { id: token, lastUsed, ...device } = validDevice(deviceId, platform, options);
    return this.#enqueue(
      personOperation(id, 'add_device', {
        device: { token, ...device, ...(lastUsed !== undefined && { last_used: lastUsed }) },
      }),
    );
  }

  /** Queues removing a person's device. */
  deleteDevice(personId: CustomerIOPersonId, deviceId: string): CustomerIOReceipt {
    const id = resolvePerson(personId);
    return this.#enqueue(personOperation(id, 'delete_device', { device: { token: checkName(deviceId, 'deviceId') } }));
  }

  /** Queues merging `secondary` into `primary` (which must exist by then); irreversible. */
  mergeCustomers(
    primary: CustomerIOMergeIdentifier | string | number,
    secondary: CustomerIOMergeIdentifier | string | number,
  ): CustomerIOReceipt {
    const first = resolvePerson(primary, 'primary', MERGE_IDENTIFIER_TYPES);
    return this.#enqueue(mergeOperation(first, resolvePerson(secondary, 'secondary', MERGE_IDENTIFIER_TYPES)));
  }

  /** Queues relating a person to objects (`add_relationships`). */
  addRelationships(personId: CustomerIOPersonId, relationships: readonly CustomerIORelationship[]): CustomerIOReceipt {
    return this.#enqueue(personRelationshipsOperation(resolvePerson(personId), 'add_relationships', relationships));
  }

  /** Queues removing a person's relationships to objects (`delete_relationships`). */
  deleteRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): CustomerIOReceipt {
    return this.#enqueue(personRelationshipsOperation(resolvePerson(personId), 'delete_relationships', relationships));
  }

  /** Queues creating or updating an object (an account, a company…), optionally relating people to it. */
  identifyObject(
    object: CustomerIOObjectIdentifier,
    attributes?: CustomerIOAttributes,
    options?: IdentifyObjectOptions,
  ): CustomerIOReceipt {
    return this.#enqueue(identifyObjectOperation(object, attributes, options));
  }

  /** Queues deleting an object. */
  deleteObject(object: CustomerIOObjectIdentifier): CustomerIOReceipt {
    return this.#enqueue(deleteObjectOperation(object));
  }

  /** Queues relating people to an object. */
  addObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): CustomerIOReceipt {
    return this.#enqueue(objectRelationshipsOperation(object, 'add_relationships', people));
  }

  /** Queues removing people's relationships to an object. */
  deleteObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): CustomerIOReceipt {
    return this.#enqueue(objectRelationshipsOperation(object, 'delete_relationships', people));
  }

  /** Reports what happened to a delivered message (direct: no batch form). */
  trackMetric(metric: CustomerIOMetric): Promise<void> {
    return this.direct.trackMetric(metric);
  }

  /** Reports a push metric through the legacy endpoint (direct: no batch form). */
  trackPush(metric: CustomerIOPushMetric): Promise<void> {
    return this.direct.trackPush(metric);
  }

  /** Adds people (1 to 1,000, of one identifier type) to a manual segment (direct: no batch form). */
  addToSegment(segmentId: number, people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>): Promise<void> {
    return this.direct.addToSegment(segmentId, people);
  }

  /** Removes people (1 to 1,000, of one identifier type) from a manual segment (direct: no batch form). */
  removeFromSegment(
    segmentId: number,
    people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  ): Promise<void> {
    return this.direct.removeFromSegment(segmentId, people);
  }

  /** Unsubscribes the person a delivery went to; `false` resubscribes them (direct: no batch form). @default unsubscribe true */
  unsubscribe(deliveryId: string, unsubscribe = true): Promise<void> {
    return this.direct.unsubscribe(deliveryId, unsubscribe);
  }

  /** Submits a form, identifying the person by `data.email` or `data.id` (direct: no batch form). */
  submitForm(formId: string, data: CustomerIOFormData): Promise<void> {
    return this.direct.submitForm(formId, data);
  }

  /** Sends a transactional email (App API, direct). */
  sendEmail(message: CustomerIOEmailMessage): Promise<CustomerIOResponseBody> {
    return this.direct.sendEmail(message);
  }

  /** Sends a transactional push (App API, direct). */
  sendPush(message: CustomerIOPushMessage): Promise<CustomerIOResponseBody> {
    return this.direct.sendPush(message);
  }

  /** Sends a transactional SMS (App API, direct). */
  sendSMS(message: CustomerIOSmsMessage): Promise<CustomerIOResponseBody> {
    return this.direct.sendSMS(message);
  }

  /** Triggers an API-triggered broadcast (App API, direct). */
  triggerBroadcast(
    broadcastId: string | number,
    options?: CustomerIOBroadcastOptions,
  ): Promise<CustomerIOResponseBody> {
    return this.direct.triggerBroadcast(broadcastId, options);
  }

  /** Sends everything queued now; resolves when it is settled, or when Customer.io is failing and the rest must wait. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** The queue's counters: enqueued, delivered, retried, failed, rejected, dropped, in flight, depth, last error. */
  get stats(): Readonly<CustomerIOQueueStats> {
    return this.queue.stats;
  }

  #enqueue({ key, json }: PersonOperation): CustomerIOReceipt {
    return this.queue.enqueue(key, json);
  }

  [inspect.custom](): string {
    return `CustomerIOClient ${inspect(this.direct)}`;
  }
}
