import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';
import { TRACK_API_ONLY } from '../errors/customerio.messages.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { type ApiOperations, PIPELINES_OPERATIONS, TRACK_OPERATIONS } from '../operations/api-operations.js';
import type { CustomerIOGroupOptions } from '../operations/group.operation.js';
import type { CustomerIOQueueStats } from '../interfaces/customerio-queue-stats.interface.js';
import { CustomerIOQueue } from '../delivery/customerio-queue.service.js';
import type { CustomerIOReceipt } from '../delivery/customerio-receipt.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventName,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import type { CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';
import type { CustomerIOBroadcastOptions } from '../operations/broadcast.operation.js';
import type { CustomerIOMetric, CustomerIOPushMetric } from '../operations/delivery-metric.operation.js';
import type { CustomerIODeviceOptions, CustomerIODevicePlatform } from '../operations/device.operation.js';
import type { CustomerIOFormData } from '../operations/form-submission.operation.js';
import type { IdentifyOptions } from '../operations/identify.operation.js';
import { mergeOperation } from '../operations/merge.operation.js';
import type { CustomerIOObjectIdentifier } from '../operations/object-identifier.js';
import {
  type CustomerIOObjectRelationship,
  deleteObjectOperation,
  identifyObjectOperation,
  type IdentifyObjectOptions,
  objectRelationshipsOperation,
} from '../operations/object.operation.js';
import type { QueuedForm } from '../operations/operation.interface.js';
import type { CustomerIOMergeIdentifier, CustomerIOPersonId } from '../operations/person-identifier.js';
import { type CustomerIORelationship, personRelationshipsOperation } from '../operations/relationship.operation.js';
import type {
  CustomerIOEmailMessage,
  CustomerIOPushMessage,
  CustomerIOSmsMessage,
} from '../operations/transactional-message.operation.js';
import { CustomerIODirectClient } from './customerio-direct.client.js';

/**
 * The Customer.io client: one instance for the whole application, through DI.
 *
 * Person operations (`identify`, `track`, `trackAnonymous`, `trackPageView`, `trackScreen`, `destroy`, `suppress`,
 * `unsuppress`, `addDevice`, `deleteDevice`, `group`, `alias`, `mergeCustomers`, objects and relationships) are
 * checked at the call site (bad input throws {@link CustomerIOValidationError} there), then queued and sent in
 * batches to the API of the `api` option; they return at once with a {@link CustomerIOReceipt} (`await
 * receipt.delivered` for Customer.io's answer). Each person's operations reach Customer.io in the order they were
 * made. `direct` is the awaitable path, one request per call; operations with no batch form always take it.
 */
@Injectable()
export class CustomerIOClient {
  readonly #operations: ApiOperations;
  readonly #track: boolean;

  constructor(
    /** The awaitable path: each call is one request, resolved when Customer.io accepted it. */
    readonly direct: CustomerIODirectClient,
    private readonly queue: CustomerIOQueue,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) { api, track }: ResolvedCustomerIOOptions,
  ) {
    this.#operations = api === 'pipelines' ? PIPELINES_OPERATIONS : TRACK_OPERATIONS;
    this.#track = track !== undefined;
  }

  /** Queues creating or updating a person. `Date` attribute values are sent as unix seconds. */
  identify(
    personId: CustomerIOPersonId,
    attributes: CustomerIOAttributes = {},
    options: IdentifyOptions = {},
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.identify(personId, attributes, options));
  }

  /** Queues an event of a person; the name and data are checked against the declared events. */
  track<N extends CustomerIOEventName>(
    personId: CustomerIOPersonId,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.queuedEvent(personId, 'event', name, data, options));
  }

  /** Queues an event of someone not identified yet, keyed by their anonymous id. */
  trackAnonymous<N extends CustomerIOEventName>(
    anonymousId: string,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.anonymousEvent(anonymousId, name, data, options));
  }

  /** Queues a page view of a person (`path` is usually the URL). */
  trackPageView(
    personId: CustomerIOPersonId,
    path: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.queuedEvent(personId, 'page', path, data, options));
  }

  /** Queues a mobile screen view of a person (`name` is the screen's name). */
  trackScreen(
    personId: CustomerIOPersonId,
    name: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.queuedEvent(personId, 'screen', name, data, options));
  }

  /** Queues deleting a person. */
  destroy(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(this.#operations.destroy(personId));
  }

  /** Queues suppressing a person: Customer.io deletes them and ignores their id from then on. */
  suppress(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(this.#operations.suppress(personId));
  }

  /** Queues lifting a suppression. */
  unsuppress(personId: CustomerIOPersonId): CustomerIOReceipt {
    return this.#enqueue(this.#operations.unsuppress(personId));
  }

  /** Queues registering (or updating) a person's device for push. */
  addDevice(
    personId: CustomerIOPersonId,
    deviceId: string,
    platform: CustomerIODevicePlatform,
    options: CustomerIODeviceOptions = {},
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.addDevice(personId, deviceId, platform, options));
  }

  /** Queues removing a person's device. */
  deleteDevice(personId: CustomerIOPersonId, deviceId: string): CustomerIOReceipt {
    return this.#enqueue(this.#operations.deleteDevice(personId, deviceId));
  }

  /** Queues merging `secondary` into `primary` (which must exist by then); irreversible. */
  mergeCustomers(
    primary: CustomerIOMergeIdentifier | string | number,
    secondary: CustomerIOMergeIdentifier | string | number,
  ): CustomerIOReceipt {
    return this.#trackOnly('mergeCustomers', mergeOperation(primary, secondary));
  }

  /** Queues relating a person to objects (`add_relationships`). */
  addRelationships(personId: CustomerIOPersonId, relationships: readonly CustomerIORelationship[]): CustomerIOReceipt {
    return this.#trackOnly(
      'addRelationships',
      personRelationshipsOperation(personId, 'add_relationships', relationships),
    );
  }

  /** Queues removing a person's relationships to objects (`delete_relationships`). */
  deleteRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): CustomerIOReceipt {
    return this.#trackOnly(
      'deleteRelationships',
      personRelationshipsOperation(personId, 'delete_relationships', relationships),
    );
  }

  /** Queues creating or updating an object (an account, a company…), optionally relating people to it. */
  identifyObject(
    object: CustomerIOObjectIdentifier,
    attributes?: CustomerIOAttributes,
    options?: IdentifyObjectOptions,
  ): CustomerIOReceipt {
    return this.#trackOnly('identifyObject', identifyObjectOperation(object, attributes, options));
  }

  /** Queues deleting an object. */
  deleteObject(object: CustomerIOObjectIdentifier): CustomerIOReceipt {
    return this.#trackOnly('deleteObject', deleteObjectOperation(object));
  }

  /** Queues relating people to an object. */
  addObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): CustomerIOReceipt {
    return this.#trackOnly('addObjectRelationships', objectRelationshipsOperation(object, 'add_relationships', people));
  }

  /** Queues removing people's relationships to an object. */
  deleteObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): CustomerIOReceipt {
    return this.#trackOnly(
      'deleteObjectRelationships',
      objectRelationshipsOperation(object, 'delete_relationships', people),
    );
  }

  /** Queues relating a person to a group (an account…) and setting its traits (Track API: the object's `identify`). */
  group(
    personId: CustomerIOPersonId,
    groupId: string | number,
    traits?: CustomerIOAttributes,
    options?: CustomerIOGroupOptions,
  ): CustomerIOReceipt {
    return this.#enqueue(this.#operations.group(personId, groupId, traits, options));
  }

  /** Queues merging `previousId`'s profile into `userId`'s: a Pipelines `alias` call (the Track API: `mergeCustomers`). */
  alias(previousId: string | number, userId: string | number): CustomerIOReceipt {
    return this.#enqueue(this.#operations.alias(previousId, userId));
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

  #enqueue({ key, json }: QueuedForm): CustomerIOReceipt {
    return this.queue.enqueue(key, json);
  }

  /** Queues an operation only the Track API has: with `api: 'pipelines'`, it needs the Track API's credentials too. */
  #trackOnly(method: string, operation: QueuedForm): CustomerIOReceipt {
    if (!this.#track) throw new CustomerIOConfigError('api', TRACK_API_ONLY(method));
    return this.#enqueue(operation);
  }

  [inspect.custom](): string {
    return `CustomerIOClient ${inspect(this.direct)}`;
  }
}
