import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import cio from 'customerio-node';
import type { APIClient, SendEmailRequest, SendPushRequest, SendSMSRequest, TrackClient } from 'customerio-node';
import { CUSTOMERIO_LIMITS, CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { APP_API_KEY_REQUIRED } from '../customerio.messages.js';
import { OutboundPipeline } from '../delivery/outbound-pipeline.service.js';
import type {
  CustomerIOAttributes,
  CustomerIOEventArgs,
  CustomerIOEventData,
  CustomerIOEventName,
  CustomerIOTimestamp,
  TrackEventOptions,
} from '../interfaces/customerio-events.interface.js';
import type { ResolvedCustomerIOOptions } from '../options/resolved-options.interface.js';
import { CustomerIOSdkAdapter, type CustomerIOResponseBody } from './customerio-sdk.adapter.js';
import { CustomerIOConfigError } from './customerio.errors.js';
import { checkEventData, checkName, checkOneOf, checkPersonId, toUnixSeconds } from './customerio-input.validator.js';
import {
  type CustomerIODeviceOptions,
  type CustomerIODevicePlatform,
  type CustomerIOPersonId,
  type CustomerIOPersonIdentifier,
  type IdentifyOptions,
  v1EventBody,
  validAttributes,
  validDevice,
  validEvent,
  validIdentifier,
} from './customerio-payloads.js';

/** A delivery metric for `trackMetric` (`POST /api/v1/metrics`). */
export interface CustomerIOMetric {
  /** The `CIO-Delivery-ID` of the message. */
  deliveryId: string;
  /** What happened to it. */
  metric: 'delivered' | 'opened' | 'clicked' | 'converted' | 'bounced' | 'spammed' | 'dropped' | 'failed' | 'sent';
  /** The device token or email address the message went to. */
  recipient?: string;
  /** Why it failed or bounced. */
  reason?: string;
  /** The link that was clicked. */
  href?: string;
  /** When it happened. @default now */
  timestamp?: CustomerIOTimestamp;
}

/** A push metric for the legacy `trackPush` (`POST /api/v1/push/events`). */
export interface CustomerIOPushMetric {
  /** The `CIO-Delivery-ID` of the push. */
  deliveryId: string;
  /** What happened to it. */
  event: 'delivered' | 'opened' | 'converted';
  /** The device token. */
  deviceId?: string;
  /** When it happened. @default now */
  timestamp?: CustomerIOTimestamp;
}

/** A transactional email; the fields are Customer.io's (`to`, `identifiers`, `transactional_message_id`, …). */
export type CustomerIOEmailMessage = ConstructorParameters<typeof SendEmailRequest>[0];
/** A transactional push. */
export type CustomerIOPushMessage = ConstructorParameters<typeof SendPushRequest>[0];
/** A transactional SMS. */
export type CustomerIOSmsMessage = ConstructorParameters<typeof SendSMSRequest>[0];

/** Who receives a broadcast: Customer.io's recipient fields (`ids`, `emails`, `per_user_data`, `data_file_url`, or a `recipients` filter). */
export type CustomerIOBroadcastRecipients = Record<string, unknown>;

/** What a call resolves to in mode `'disabled'`, where nothing is sent (App API calls return it; the others nothing). */
const NOT_SENT: CustomerIOResponseBody = Object.freeze({});

const METRICS = ['delivered', 'opened', 'clicked', 'converted', 'bounced', 'spammed', 'dropped', 'failed', 'sent'] as const;

/**
 * The awaitable path: each call is one request to Customer.io (v1 Track API, or the App API), through the
 * interceptor chain (retries included), and resolves once Customer.io accepted it (in mode `'disabled'`, once
 * validated, sending nothing). Reach it as
 * `CustomerIOClient.direct`, for calls that must be confirmed before going on.
 */
@Injectable()
export class CustomerIODirectClient {
  readonly #sdk: CustomerIOSdkAdapter;
  readonly #pipeline: OutboundPipeline;
  readonly #options: ResolvedCustomerIOOptions;

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
  async identify(personId: CustomerIOPersonId, attributes: CustomerIOAttributes = {}, options: IdentifyOptions = {}): Promise<void> {
    const id = checkPersonId(personId);
    const body = validAttributes(attributes);
    if (options.timestamp !== undefined) body._timestamp = toUnixSeconds(options.timestamp);
    if (options.updateOnly) body._update = true;
    await this.#track('identify', (client) => client.identify(id, body));
  }

  /** Deletes a person. */
  async destroy(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#track('destroy', (client) => client.destroy(id));
  }

  /** Suppresses a person: deletes them and ignores their id from now on. */
  async suppress(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#track('suppress', (client) => client.suppress(id));
  }

  /** Lifts a suppression. */
  async unsuppress(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#track('unsuppress', (client) => client.unsuppress(id));
  }

  /** Sends an event of a person; the name and data are checked against the declared events. */
  async track<N extends CustomerIOEventName>(personId: CustomerIOPersonId, name: N, ...[data, options]: CustomerIOEventArgs<N>): Promise<void> {
    const id = checkPersonId(personId);
    const body = v1EventBody(validEvent(name, data, options));
    await this.#track('track', (client) => client.track(id, body));
  }

  /** Sends an event of someone not identified yet, keyed by their anonymous id. */
  async trackAnonymous<N extends CustomerIOEventName>(anonymousId: string, name: N, ...[data, options]: CustomerIOEventArgs<N>): Promise<void> {
    const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
    const body = v1EventBody(validEvent(name, data, options));
    await this.#track('trackAnonymous', (client) => client.trackAnonymous(anonymous, body));
  }

  /** Records that a person viewed a page (`path` is usually the URL). */
  async trackPageView(personId: CustomerIOPersonId, path: string, data?: CustomerIOEventData, options?: TrackEventOptions): Promise<void> {
    const id = checkPersonId(personId);
    const body = { ...v1EventBody(validEvent(path, data, options, 'path')), type: 'page' };
    await this.#track('trackPageView', (client) => client.track(id, body));
  }

  /** Reports what happened to a delivered message (`POST /api/v1/metrics`). */
  async trackMetric(metric: CustomerIOMetric): Promise<void> {
    const body = {
      delivery_id: checkName(metric.deliveryId, 'deliveryId'),
      metric: checkOneOf(metric.metric, 'metric', METRICS),
      timestamp: toUnixSeconds(metric.timestamp ?? new Date()),
      ...(metric.recipient !== undefined && { recipient: metric.recipient }),
      ...(metric.reason !== undefined && { reason: metric.reason }),
      ...(metric.href !== undefined && { href: metric.href }),
    };
    await this.#track('trackMetric', (client) => client.request.post(`${client.trackRoot}/metrics`, body));
  }

  /** Reports a push metric through the legacy `POST /api/v1/push/events`. */
  async trackPush(metric: CustomerIOPushMetric): Promise<void> {
    const body = {
      delivery_id: checkName(metric.deliveryId, 'deliveryId'),
      event: checkOneOf(metric.event, 'event', ['delivered', 'opened', 'converted']),
      timestamp: toUnixSeconds(metric.timestamp ?? new Date()),
      ...(metric.deviceId !== undefined && { device_id: checkName(metric.deviceId, 'deviceId') }),
    };
    await this.#track('trackPush', (client) => client.trackPush(body));
  }

  /** Registers (or updates) a person's device for push. */
  async addDevice(personId: CustomerIOPersonId, deviceId: string, platform: CustomerIODevicePlatform, options: CustomerIODeviceOptions = {}): Promise<void> {
    const id = checkPersonId(personId);
    const device = validDevice(deviceId, platform, options);
    const data = { ...device.attributes, ...(device.lastUsed !== undefined && { last_used: device.lastUsed }) };
    await this.#track('addDevice', (client) => client.addDevice(id, device.id, device.platform, data));
  }

  /** Removes a person's device. */
  async deleteDevice(personId: CustomerIOPersonId, deviceId: string): Promise<void> {
    const id = checkPersonId(personId);
    const device = checkName(deviceId, 'deviceId');
    await this.#track('deleteDevice', (client) => client.deleteDevice(id, device));
  }

  /** Merges `secondary` into `primary` (which must exist); irreversible. */
  async mergeCustomers(primary: CustomerIOPersonIdentifier, secondary: CustomerIOPersonIdentifier): Promise<void> {
    const [primaryType, primaryId] = validIdentifier(primary, 'primary');
    const [secondaryType, secondaryId] = validIdentifier(secondary, 'secondary');
    await this.#track('mergeCustomers', (client) => client.mergeCustomers(primaryType, primaryId, secondaryType, secondaryId));
  }

  /** Sends a transactional email (App API). */
  async sendEmail(message: CustomerIOEmailMessage): Promise<CustomerIOResponseBody> {
    return this.#app('sendEmail', (client) => client.sendEmail(new cio.SendEmailRequest(message)));
  }

  /** Sends a transactional push (App API). */
  async sendPush(message: CustomerIOPushMessage): Promise<CustomerIOResponseBody> {
    return this.#app('sendPush', (client) => client.sendPush(new cio.SendPushRequest(message)));
  }

  /** Sends a transactional SMS (App API). */
  async sendSMS(message: CustomerIOSmsMessage): Promise<CustomerIOResponseBody> {
    return this.#app('sendSMS', (client) => client.sendSMS(new cio.SendSMSRequest(message)));
  }

  /** Triggers an API-triggered broadcast (App API); `recipients` narrows who receives it. */
  async triggerBroadcast(
    broadcastId: string | number,
    options: { data?: Record<string, unknown>; recipients?: CustomerIOBroadcastRecipients } = {},
  ): Promise<CustomerIOResponseBody> {
    const id = checkName(String(broadcastId), 'broadcastId');
    if (options.data !== undefined) checkEventData(options.data, 'data');
    const body = { ...(options.data && { data: options.data }), ...options.recipients };
    // NOTE: customerio-node 4.4 posts to a wrong path (/v1/api/campaigns/...); this path is right on every version.
    return this.#app('triggerBroadcast', (client) =>
      client.request.post(`${client.apiRoot}/campaigns/${encodeURIComponent(id)}/triggers`, body),
    );
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
