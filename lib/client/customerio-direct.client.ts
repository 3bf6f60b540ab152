import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import { CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { OutboundPipeline } from '../transport/outbound-pipeline.service.js';
import { CustomerIOSdkAdapter, type CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { DirectRequestSender } from './direct-request.sender.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventName,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import { type ApiOperations, PIPELINES_OPERATIONS, TRACK_OPERATIONS } from '../operations/api-operations.js';
import type { CustomerIOGroupOptions } from '../operations/group.operation.js';
import { broadcastRequest, type CustomerIOBroadcastOptions } from '../operations/broadcast.operation.js';
import {
  type CustomerIOMetric,
  type CustomerIOPushMetric,
  metricRequest,
  pushMetricRequest,
} from '../operations/delivery-metric.operation.js';
import type { CustomerIODeviceOptions, CustomerIODevicePlatform } from '../operations/device.operation.js';
import { type CustomerIOFormData, formSubmissionRequest } from '../operations/form-submission.operation.js';
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
import type { CustomerIOMergeIdentifier, CustomerIOPersonId } from '../operations/person-identifier.js';
import { type CustomerIORelationship, personRelationshipsOperation } from '../operations/relationship.operation.js';
import { segmentMembershipRequest } from '../operations/segment-membership.operation.js';
import {
  type CustomerIOEmailMessage,
  type CustomerIOPushMessage,
  type CustomerIOSmsMessage,
  emailRequest,
  pushRequest,
  smsRequest,
} from '../operations/transactional-message.operation.js';
import { unsubscribeRequest } from '../operations/unsubscribe.operation.js';

/**
 * The awaitable path: each call is one request to Customer.io (the Track API's v1, or `/api/v2/entity` where v1
 * has no form; or the App API), through the interceptor chain (retries included), and resolves once Customer.io
 * accepted it (in mode `'disabled'`, once validated, sending nothing). Reach it as `CustomerIOClient.direct`, for
 * calls that must be confirmed before going on.
 */
@Injectable()
export class CustomerIODirectClient {
  readonly #options: ResolvedCustomerIOOptions;
  readonly #sender: DirectRequestSender;
  readonly #operations: ApiOperations;

  constructor(
    sdk: CustomerIOSdkAdapter,
    pipeline: OutboundPipeline,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions,
  ) {
    this.#options = options;
    this.#sender = new DirectRequestSender(sdk, pipeline, options);
    this.#operations = options.api === 'pipelines' ? PIPELINES_OPERATIONS : TRACK_OPERATIONS;
  }

  /** Creates or updates a person. `Date` attribute values are sent as unix seconds. */
  async identify(
    personId: CustomerIOPersonId,
    attributes: CustomerIOAttributes = {},
    options: IdentifyOptions = {},
  ): Promise<void> {
    await this.#sender.send('identify', this.#operations.identify(personId, attributes, options).direct());
  }

  /** Deletes a person. */
  async destroy(personId: CustomerIOPersonId): Promise<void> {
    await this.#sender.send('destroy', this.#operations.destroy(personId).direct());
  }

  /** Suppresses a person: deletes them and ignores their id from now on. */
  async suppress(personId: CustomerIOPersonId): Promise<void> {
    await this.#sender.send('suppress', this.#operations.suppress(personId).direct());
  }

  /** Lifts a suppression. */
  async unsuppress(personId: CustomerIOPersonId): Promise<void> {
    await this.#sender.send('unsuppress', this.#operations.unsuppress(personId).direct());
  }

  /** Sends an event of a person; the name and data are checked against the declared events. */
  async track<N extends CustomerIOEventName>(
    personId: CustomerIOPersonId,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): Promise<void> {
    await this.#sender.send('track', this.#operations.event(personId, 'event', name, data, options).direct());
  }

  /** Sends an event of someone not identified yet, keyed by their anonymous id. */
  async trackAnonymous<N extends CustomerIOEventName>(
    anonymousId: string,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): Promise<void> {
    await this.#sender.send(
      'trackAnonymous',
      this.#operations.anonymousEvent(anonymousId, name, data, options).direct(),
    );
  }

  /** Records that a person viewed a page (`path` is usually the URL). */
  async trackPageView(
    personId: CustomerIOPersonId,
    path: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): Promise<void> {
    await this.#sender.send('trackPageView', this.#operations.event(personId, 'page', path, data, options).direct());
  }

  /** Records that a person viewed a mobile screen (`name` is the screen's name; Track API: `/api/v2/entity`). */
  async trackScreen(
    personId: CustomerIOPersonId,
    name: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): Promise<void> {
    await this.#sender.send('trackScreen', this.#operations.event(personId, 'screen', name, data, options).direct());
  }

  /** Relates a person to a group and sets its traits (see `CustomerIOClient.group`). */
  async group(
    personId: CustomerIOPersonId,
    groupId: string | number,
    traits?: CustomerIOAttributes,
    options?: CustomerIOGroupOptions,
  ): Promise<void> {
    await this.#sender.send('group', this.#operations.group(personId, groupId, traits, options).direct());
  }

  /** Merges `previousId`'s profile into `userId`'s (Pipelines API only; see `CustomerIOClient.alias`). */
  async alias(previousId: string | number, userId: string | number): Promise<void> {
    await this.#sender.send('alias', this.#operations.alias(previousId, userId).direct());
  }

  /** Relates a person to objects (`add_relationships`, through `/api/v2/entity`: v1 has no form). */
  async addRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): Promise<void> {
    const operation = personRelationshipsOperation(personId, 'add_relationships', relationships);
    await this.#sender.send('addRelationships', operation.direct());
  }

  /** Removes a person's relationships to objects (`delete_relationships`, through `/api/v2/entity`). */
  async deleteRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): Promise<void> {
    const operation = personRelationshipsOperation(personId, 'delete_relationships', relationships);
    await this.#sender.send('deleteRelationships', operation.direct());
  }

  /** Creates or updates an object, optionally relating people to it (through `/api/v2/entity`). */
  async identifyObject(
    object: CustomerIOObjectIdentifier,
    attributes?: CustomerIOAttributes,
    options?: IdentifyObjectOptions,
  ): Promise<void> {
    await this.#sender.send('identifyObject', identifyObjectOperation(object, attributes, options).direct());
  }

  /** Deletes an object (through `/api/v2/entity`). */
  async deleteObject(object: CustomerIOObjectIdentifier): Promise<void> {
    await this.#sender.send('deleteObject', deleteObjectOperation(object).direct());
  }

  /** Relates people to an object (through `/api/v2/entity`). */
  async addObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): Promise<void> {
    const operation = objectRelationshipsOperation(object, 'add_relationships', people);
    await this.#sender.send('addObjectRelationships', operation.direct());
  }

  /** Removes people's relationships to an object (through `/api/v2/entity`). */
  async deleteObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): Promise<void> {
    const operation = objectRelationshipsOperation(object, 'delete_relationships', people);
    await this.#sender.send('deleteObjectRelationships', operation.direct());
  }

  /** Reports what happened to a delivered message (`POST /api/v1/metrics`). */
  async trackMetric(metric: CustomerIOMetric): Promise<void> {
    await this.#sender.send('trackMetric', metricRequest(metric));
  }

  /** Reports a push metric through the legacy `POST /api/v1/push/events`. */
  async trackPush(metric: CustomerIOPushMetric): Promise<void> {
    await this.#sender.send('trackPush', pushMetricRequest(metric));
  }

  /** Registers (or updates) a person's device for push. */
  async addDevice(
    personId: CustomerIOPersonId,
    deviceId: string,
    platform: CustomerIODevicePlatform,
    options: CustomerIODeviceOptions = {},
  ): Promise<void> {
    await this.#sender.send('addDevice', this.#operations.addDevice(personId, deviceId, platform, options).direct());
  }

  /** Removes a person's device. */
  async deleteDevice(personId: CustomerIOPersonId, deviceId: string): Promise<void> {
    await this.#sender.send('deleteDevice', this.#operations.deleteDevice(personId, deviceId).direct());
  }

  /** Merges `secondary` into `primary` (which must exist); irreversible. */
  async mergeCustomers(
    primary: CustomerIOMergeIdentifier | string | number,
    secondary: CustomerIOMergeIdentifier | string | number,
  ): Promise<void> {
    await this.#sender.send('mergeCustomers', mergeOperation(primary, secondary).direct());
  }

  /** Adds 1 to 1,000 people, all of one identifier type (`id`, `email` or `cio_id`), to a manual segment. */
  async addToSegment(
    segmentId: number,
    people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  ): Promise<void> {
    await this.#sender.send('addToSegment', segmentMembershipRequest(segmentId, people, 'add_customers'));
  }

  /** Removes 1 to 1,000 people, all of one identifier type, from a manual segment. */
  async removeFromSegment(
    segmentId: number,
    people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  ): Promise<void> {
    await this.#sender.send('removeFromSegment', segmentMembershipRequest(segmentId, people, 'remove_customers'));
  }

  /** Unsubscribes the person a delivery went to, attributing it to that delivery; `false` resubscribes them. */
  async unsubscribe(deliveryId: string, unsubscribe = true): Promise<void> {
    await this.#sender.send('unsubscribe', unsubscribeRequest(deliveryId, unsubscribe));
  }

  /** Submits a form: identifies the person by `data.email` or `data.id` and applies the form's fields (all strings). */
  async submitForm(formId: string, data: CustomerIOFormData): Promise<void> {
    await this.#sender.send('submitForm', formSubmissionRequest(formId, data));
  }

  /** Sends a transactional email (App API). */
  async sendEmail(message: CustomerIOEmailMessage): Promise<CustomerIOResponseBody> {
    return this.#sender.send('sendEmail', emailRequest(message));
  }

  /** Sends a transactional push (App API). */
  async sendPush(message: CustomerIOPushMessage): Promise<CustomerIOResponseBody> {
    return this.#sender.send('sendPush', pushRequest(message));
  }

  /** Sends a transactional SMS (App API). */
  async sendSMS(message: CustomerIOSmsMessage): Promise<CustomerIOResponseBody> {
    return this.#sender.send('sendSMS', smsRequest(message));
  }

  /** Triggers an API-triggered broadcast (App API); `recipients` narrows who receives it. */
  async triggerBroadcast(
    broadcastId: string | number,
    options: CustomerIOBroadcastOptions = {},
  ): Promise<CustomerIOResponseBody> {
    return this.#sender.send('triggerBroadcast', broadcastRequest(broadcastId, options));
  }

  [inspect.custom](): string {
    const { api, track, trackUrl, pipelinesUrl } = this.#options;
    const target =
      api === 'pipelines' ? `pipelinesUrl: '${pipelinesUrl}'` : `siteId: '${track?.siteId}', trackUrl: '${trackUrl}'`;
    return `CustomerIODirectClient { api: '${api}', ${target} }`;
  }
}
