import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import cio from 'customerio-node';
import type { APIClient, IdentifierType, SendSMSRequest, TrackClient } from 'customerio-node';
import { CUSTOMERIO_LIMITS, CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { APP_API_KEY_REQUIRED } from '../errors/customerio.messages.js';
import { createOperationIdFactory } from '../delivery/operation-id.js';
import { OutboundPipeline } from '../transport/outbound-pipeline.service.js';
import { eventOperation, type PersonOperation, personOperation } from '../operations/person-operation.builder.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventName,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { CustomerIOSdkAdapter, type CustomerIOResponseBody } from '../transport/customerio-sdk.adapter.js';
import { CustomerIOConfigError } from '../errors/customerio.errors.js';
import {
  type CustomerIOMetric,
  type CustomerIOPushMetric,
  metricBody,
  pushMetricBody,
} from '../operations/delivery-metric.operation.js';
import { broadcastTrigger, type CustomerIOBroadcastOptions } from '../operations/broadcast.operation.js';
import { type CustomerIOFormData, formSubmissionRequest } from '../operations/form-submission.operation.js';
import { segmentMembershipRequest } from '../operations/segment-membership.operation.js';
import { unsubscribeRequest } from '../operations/unsubscribe.operation.js';
import {
  type CustomerIOMergeIdentifier,
  type CustomerIOPersonId,
  MERGE_IDENTIFIER_TYPES,
  type ResolvedPerson,
  resolvePerson,
  v1PathId,
} from '../operations/person-identifier.js';
import {
  type CustomerIOEmailMessage,
  type CustomerIOPushMessage,
  emailBody,
  pushBody,
} from '../operations/transactional-message.operation.js';
import type { CustomerIOObjectIdentifier } from '../operations/object-identifier.js';
import {
  deleteObjectOperation,
  identifyObjectOperation,
  objectRelationshipsOperation,
} from '../operations/object.operation.js';
import type { CustomerIOObjectRelationship, IdentifyObjectOptions } from '../operations/object.operation.js';
import { type CustomerIORelationship, personRelationshipsOperation } from '../operations/relationship.operation.js';
import { checkName, toUnixSeconds } from '../validation/input.checks.js';
import {
  type CustomerIODeviceOptions,
  type CustomerIODevicePlatform,
  type IdentifyOptions,
  v1EventBody,
  validAttributes,
  validDevice,
  validEvent,
} from '../operations/customerio-payloads.js';

export type { CustomerIOMetric, CustomerIOPushMetric } from '../operations/delivery-metric.operation.js';
export type { CustomerIOBroadcastOptions, CustomerIOBroadcastRecipients } from '../operations/broadcast.operation.js';
export type { CustomerIOEmailMessage, CustomerIOPushMessage } from '../operations/transactional-message.operation.js';

/** A transactional SMS. */
export type CustomerIOSmsMessage = ConstructorParameters<typeof SendSMSRequest>[0];

/** What a call resolves to in mode `'disabled'`, where nothing is sent (App API calls return it; the others nothing). */
const NOT_SENT: CustomerIOResponseBody = Object.freeze({});

/**
 * The awaitable path: each call is one request to Customer.io (the Track API's v1, or `/api/v2/entity` where v1
 * has no form; or the App API), through the interceptor chain (retries included), and resolves once Customer.io
 * accepted it (in mode `'disabled'`, once validated, sending nothing). Reach it as `CustomerIOClient.direct`, for
 * calls that must be confirmed before going on.
 */
@Injectable()
export class CustomerIODirectClient {
  readonly #sdk: CustomerIOSdkAdapter;
  readonly #pipeline: OutboundPipeline;
  readonly #options: ResolvedCustomerIOOptions;
  readonly #nextId = createOperationIdFactory();

  constructor(
    sdk: CustomerIOSdkAdapter,
    pipeline: OutboundPipeline,
    @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions,
  ) {
    this.#sdk = sdk;
    this.#pipeline = pipeline;
    this.#options = options;
  }

  /** Creates or updates a person. `Date` attribute values are sent as unix seconds. */
  async identify(
    personId: CustomerIOPersonId,
    attributes: CustomerIOAttributes = {},
    options: IdentifyOptions = {},
  ): Promise<void> {
    const person = resolvePerson(personId);
    const body = validAttributes(attributes);
    if (options.updateOnly) body._update = true;
    const timestamp = options.timestamp === undefined ? undefined : toUnixSeconds(options.timestamp);
    await this.#person(
      'identify',
      person,
      (client, id) => client.identify(id, { ...body, ...(timestamp !== undefined && { _timestamp: timestamp }) }),
      () => personOperation(person, 'identify', { attributes: body, ...(timestamp !== undefined && { timestamp }) }),
    );
  }

  /** Deletes a person. */
  async destroy(personId: CustomerIOPersonId): Promise<void> {
    const person = resolvePerson(personId);
    await this.#person(
      'destroy',
      person,
      (client, id) => client.destroy(id),
      () => personOperation(person, 'delete'),
    );
  }

  /** Suppresses a person: deletes them and ignores their id from now on. */
  async suppress(personId: CustomerIOPersonId): Promise<void> {
    const person = resolvePerson(personId);
    await this.#person(
      'suppress',
      person,
      (client, id) => client.suppress(id),
      () => personOperation(person, 'suppress'),
    );
  }

  /** Lifts a suppression. */
  async unsuppress(personId: CustomerIOPersonId): Promise<void> {
    const person = resolvePerson(personId);
    await this.#person(
      'unsuppress',
      person,
      (client, id) => client.unsuppress(id),
      () => personOperation(person, 'unsuppress'),
    );
  }

  /** Sends an event of a person; the name and data are checked against the declared events. */
  async track<N extends CustomerIOEventName>(
    personId: CustomerIOPersonId,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): Promise<void> {
    const person = resolvePerson(personId);
    const event = validEvent(name, data, options);
    await this.#person(
      'track',
      person,
      (client, id) => client.track(id, v1EventBody(event)),
      () => eventOperation(person, 'event', event),
    );
  }

  /** Sends an event of someone not identified yet, keyed by their anonymous id. */
  async trackAnonymous<N extends CustomerIOEventName>(
    anonymousId: string,
    name: N,
    ...[data, options]: CustomerIOEventArgs<N>
  ): Promise<void> {
    const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
    const body = v1EventBody(validEvent(name, data, options));
    await this.#track('trackAnonymous', (client) => client.trackAnonymous(anonymous, body));
  }

  /** Records that a person viewed a page (`path` is usually the URL). */
  async trackPageView(
    personId: CustomerIOPersonId,
    path: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): Promise<void> {
    const person = resolvePerson(personId);
    const event = validEvent(path, data, options, 'path');
    await this.#person(
      'trackPageView',
      person,
      (client, id) => client.track(id, { ...v1EventBody(event), type: 'page' }),
      () => eventOperation(person, 'page', event),
    );
  }

  /**
   * Records that a person viewed a mobile screen (`name` is the screen's name), through `/api/v2/entity`: the
   * v1 events endpoint's screen form needs an `anonymous_id` in Customer.io's document.
   */
  async trackScreen(
    personId: CustomerIOPersonId,
    name: string,
    data?: CustomerIOEventData,
    options?: TrackEventOptions,
  ): Promise<void> {
    const person = resolvePerson(personId);
    await this.#entity('trackScreen', eventOperation(person, 'screen', validEvent(name, data, options)));
  }

  /** Relates a person to objects (`add_relationships`, through `/api/v2/entity`: v1 has no form). */
  async addRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): Promise<void> {
    await this.#entity(
      'addRelationships',
      personRelationshipsOperation(resolvePerson(personId), 'add_relationships', relationships),
    );
  }

  /** Removes a person's relationships to objects (`delete_relationships`, through `/api/v2/entity`). */
  async deleteRelationships(
    personId: CustomerIOPersonId,
    relationships: readonly CustomerIORelationship[],
  ): Promise<void> {
    await this.#entity(
      'deleteRelationships',
      personRelationshipsOperation(resolvePerson(personId), 'delete_relationships', relationships),
    );
  }

  /** Creates or updates an object, optionally relating people to it (through `/api/v2/entity`). */
  async identifyObject(
    object: CustomerIOObjectIdentifier,
    attributes?: CustomerIOAttributes,
    options?: IdentifyObjectOptions,
  ): Promise<void> {
    await this.#entity('identifyObject', identifyObjectOperation(object, attributes, options));
  }

  /** Deletes an object (through `/api/v2/entity`). */
  async deleteObject(object: CustomerIOObjectIdentifier): Promise<void> {
    await this.#entity('deleteObject', deleteObjectOperation(object));
  }

  /** Relates people to an object (through `/api/v2/entity`). */
  async addObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): Promise<void> {
    await this.#entity('addObjectRelationships', objectRelationshipsOperation(object, 'add_relationships', people));
  }

  /** Removes people's relationships to an object (through `/api/v2/entity`). */
  async deleteObjectRelationships(
    object: CustomerIOObjectIdentifier,
    people: readonly CustomerIOObjectRelationship[],
  ): Promise<void> {
    await this.#entity(
      'deleteObjectRelationships',
      objectRelationshipsOperation(object, 'delete_relationships', people),
    );
  }

  /** Reports what happened to a delivered message (`POST /api/v1/metrics`). */
  async trackMetric(metric: CustomerIOMetric): Promise<void> {
    const body = metricBody(metric);
    await this.#track('trackMetric', (client) => client.request.post(`${client.trackRoot}/metrics`, body));
  }

  /** Reports a push metric through the legacy `POST /api/v1/push/events`. */
  async trackPush(metric: CustomerIOPushMetric): Promise<void> {
    const body = pushMetricBody(metric);
    await this.#track('trackPush', (client) => client.trackPush(body));
  }

  /** Registers (or updates) a person's device for push. */
  async addDevice(
    personId: CustomerIOPersonId,
    deviceId: string,
    platform: CustomerIODevicePlatform,
    options: CustomerIODeviceOptions = {},
  ): Promise<void> {
    const person = resolvePerson(personId);
    const { id: token, lastUsed, ...device } = validDevice(deviceId, platform, options);
    const data = { ...device.attributes, ...(lastUsed !== undefined && { last_used: lastUsed }) };
    await this.#person(
      'addDevice',
      person,
      (client, id) => client.addDevice(id, token, device.platform, data),
      () =>
        personOperation(person, 'add_device', {
          device: { token, ...device, ...(lastUsed !== undefined && { last_used: lastUsed }) },
        }),
    );
  }

  /** Removes a person's device. */
  async deleteDevice(personId: CustomerIOPersonId, deviceId: string): Promise<void> {
    const person = resolvePerson(personId);
    const token = checkName(deviceId, 'deviceId');
    await this.#person(
      'deleteDevice',
      person,
      (client, id) => client.deleteDevice(id, token),
      () => personOperation(person, 'delete_device', { device: { token } }),
    );
  }

  /** Merges `secondary` into `primary` (which must exist); irreversible. */
  async mergeCustomers(
    primary: CustomerIOMergeIdentifier | string | number,
    secondary: CustomerIOMergeIdentifier | string | number,
  ): Promise<void> {
    const first = resolvePerson(primary, 'primary', MERGE_IDENTIFIER_TYPES);
    const second = resolvePerson(secondary, 'secondary', MERGE_IDENTIFIER_TYPES);
    await this.#track('mergeCustomers', (client) =>
      client.mergeCustomers(first.type as IdentifierType, first.value, second.type as IdentifierType, second.value),
    );
  }

  /** Adds 1 to 1,000 people, all of one identifier type (`id`, `email` or `cio_id`), to a manual segment. */
  async addToSegment(
    segmentId: number,
    people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  ): Promise<void> {
    const { path, body } = segmentMembershipRequest(segmentId, people, 'add_customers');
    await this.#track('addToSegment', (client) => client.request.post(`${client.trackRoot}${path}`, body));
  }

  /** Removes 1 to 1,000 people, all of one identifier type, from a manual segment. */
  async removeFromSegment(
    segmentId: number,
    people: ReadonlyArray<CustomerIOMergeIdentifier | string | number>,
  ): Promise<void> {
    const { path, body } = segmentMembershipRequest(segmentId, people, 'remove_customers');
    await this.#track('removeFromSegment', (client) => client.request.post(`${client.trackRoot}${path}`, body));
  }

  /** Unsubscribes the person a delivery went to, attributing it to that delivery; `false` resubscribes them. */
  async unsubscribe(deliveryId: string, unsubscribe = true): Promise<void> {
    const { path, body } = unsubscribeRequest(deliveryId, unsubscribe);
    await this.#track('unsubscribe', (client) => client.request.post(`${this.#options.trackUrl}${path}`, body));
  }

  /** Submits a form: identifies the person by `data.email` or `data.id` and applies the form's fields (all strings). */
  async submitForm(formId: string, data: CustomerIOFormData): Promise<void> {
    const { path, body } = formSubmissionRequest(formId, data);
    await this.#track('submitForm', (client) => client.request.post(`${client.trackRoot}${path}`, body));
  }

  /** Sends a transactional email (App API). */
  async sendEmail(message: CustomerIOEmailMessage): Promise<CustomerIOResponseBody> {
    const body = emailBody(message);
    return this.#app('sendEmail', (client) => client.request.post(`${client.apiRoot}/send/email`, body));
  }

  /** Sends a transactional push (App API). */
  async sendPush(message: CustomerIOPushMessage): Promise<CustomerIOResponseBody> {
    const body = pushBody(message);
    return this.#app('sendPush', (client) => client.request.post(`${client.apiRoot}/send/push`, body));
  }

  /** Sends a transactional SMS (App API). */
  async sendSMS(message: CustomerIOSmsMessage): Promise<CustomerIOResponseBody> {
    return this.#app('sendSMS', (client) => client.sendSMS(new cio.SendSMSRequest(message)));
  }

  /** Triggers an API-triggered broadcast (App API); `recipients` narrows who receives it. */
  async triggerBroadcast(
    broadcastId: string | number,
    options: CustomerIOBroadcastOptions = {},
  ): Promise<CustomerIOResponseBody> {
    const { id, body } = broadcastTrigger(broadcastId, options);
    // NOTE: customerio-node 4.4 posts to a wrong path (/v1/api/campaigns/...); this path is right on every version.
    return this.#app('triggerBroadcast', (client) =>
      client.request.post(`${client.apiRoot}/campaigns/${encodeURIComponent(id)}/triggers`, body),
    );
  }

  /**
   * Sends a person operation on its v1 path when Customer.io's v1 reads the person as given (see
   * {@link v1PathId}), else as the one v2 operation `v2` builds, to `/api/v2/entity`.
   */
  #person(
    operation: string,
    person: ResolvedPerson,
    v1: (client: TrackClient, id: string) => Promise<unknown>,
    v2: () => PersonOperation,
  ): Promise<unknown> {
    const id = v1PathId(person);
    return id === undefined ? this.#entity(operation, v2()) : this.#track(operation, (client) => v1(client, id));
  }

  /** Sends one v2 operation to `/api/v2/entity`. */
  #entity(operation: string, { json }: PersonOperation): Promise<unknown> {
    if (this.#options.mode === 'disabled') return Promise.resolve(NOT_SENT);
    const body = typeof json === 'string' ? json : json(this.#nextId());
    return this.#pipeline.send({ kind: 'direct', operation, size: 1 }, () => this.#sdk.postV2('entity', body));
  }

  #track<T>(operation: string, call: (client: TrackClient) => Promise<T>): Promise<T> {
    if (this.#options.mode === 'disabled') return Promise.resolve(NOT_SENT as T);
    return this.#pipeline.send({ kind: 'direct', operation, size: 1 }, () => this.#sdk.track(call));
  }

  #app<T>(operation: string, call: (client: APIClient) => Promise<T>): Promise<T> {
    if (!this.#options.appApiKey) throw new CustomerIOConfigError('appApiKey', APP_API_KEY_REQUIRED(operation));
    if (this.#options.mode === 'disabled') return Promise.resolve(NOT_SENT as T);
    return this.#pipeline.send({ kind: 'direct', operation, size: 1 }, () => this.#sdk.app(call));
  }

  [inspect.custom](): string {
    return `CustomerIODirectClient { siteId: '${this.#options.siteId}', trackUrl: '${this.#options.trackUrl}' }`;
  }
}
