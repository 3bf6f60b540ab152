import { inspect } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import cio from 'customerio-node';
import type { IdentifierType, SendEmailRequest, SendPushRequest, SendSMSRequest } from 'customerio-node';
import { CUSTOMERIO_LIMITS, CUSTOMERIO_RESOLVED_OPTIONS } from '../customerio.constants.js';
import { APP_API_KEY_REQUIRED } from '../customerio.messages.js';
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
import {
  checkAttributes,
  checkEventData,
  checkName,
  checkOneOf,
  checkPersonId,
  toUnixSeconds,
} from './customerio-input.validator.js';

/** A person's id as Customer.io keys it (an id, an email, or `cio_<cio_id>`). */
export type CustomerIOPersonId = string | number;

/** One identifier of a person, as `mergeCustomers` takes it. */
export type CustomerIOPersonIdentifier = { id: string | number } | { email: string } | { cio_id: string };

/** Options of `identify`. */
export interface IdentifyOptions {
  /** When the attributes were true; Customer.io applies rapid updates in this order. */
  timestamp?: CustomerIOTimestamp;
  /** Only update a person who exists; never create one. @default false */
  updateOnly?: boolean;
}

/** A device to register with `addDevice`. */
export interface CustomerIODeviceOptions {
  /** When the device was last used. */
  lastUsed?: CustomerIOTimestamp;
  /** Device attributes. */
  attributes?: Record<string, unknown>;
}

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

/**
 * The Customer.io client: one instance for the whole application, through DI.
 * Every method checks its input against Customer.io's limits before any request, and
 * throws {@link CustomerIOValidationError} at the call site; every request has a deadline and
 * fails with a {@link CustomerIOError}.
 */
@Injectable()
export class CustomerIOClient {
  readonly #sdk: CustomerIOSdkAdapter;
  readonly #options: ResolvedCustomerIOOptions;

  constructor(sdk: CustomerIOSdkAdapter, @Inject(CUSTOMERIO_RESOLVED_OPTIONS) options: ResolvedCustomerIOOptions) {
    this.#sdk = sdk;
    this.#options = options;
  }

  /** Creates or updates a person. `Date` attribute values are sent as unix seconds. */
  async identify(personId: CustomerIOPersonId, attributes: CustomerIOAttributes = {}, options: IdentifyOptions = {}): Promise<void> {
    const id = checkPersonId(personId);
    checkAttributes(attributes);
    const body: CustomerIOAttributes = withUnixDates(attributes);
    if (options.timestamp !== undefined) body._timestamp = toUnixSeconds(options.timestamp);
    if (options.updateOnly) body._update = true;
    await this.#sdk.track((client) => client.identify(id, body));
  }

  /** Deletes a person. */
  async destroy(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#sdk.track((client) => client.destroy(id));
  }

  /** Suppresses a person: deletes them and ignores their id from now on. */
  async suppress(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#sdk.track((client) => client.suppress(id));
  }

  /** Lifts a suppression. */
  async unsuppress(personId: CustomerIOPersonId): Promise<void> {
    const id = checkPersonId(personId);
    await this.#sdk.track((client) => client.unsuppress(id));
  }

  /** Sends an event of a person; the name and data are checked against the declared events. */
  async track<N extends CustomerIOEventName>(personId: CustomerIOPersonId, name: N, ...[data, options]: CustomerIOEventArgs<N>): Promise<void> {
    const id = checkPersonId(personId);
    const body = eventBody(name, data, options);
    await this.#sdk.track((client) => client.track(id, body));
  }

  /** Sends an event of someone not identified yet, keyed by their anonymous id. */
  async trackAnonymous<N extends CustomerIOEventName>(anonymousId: string, name: N, ...[data, options]: CustomerIOEventArgs<N>): Promise<void> {
    const anonymous = checkName(anonymousId, 'anonymousId', CUSTOMERIO_LIMITS.personIdBytes);
    const body = eventBody(name, data, options);
    await this.#sdk.track((client) => client.trackAnonymous(anonymous, body));
  }

  /** Records that a person viewed a page (`path` is usually the URL). */
  async trackPageView(personId: CustomerIOPersonId, path: string, data?: CustomerIOEventData, options?: TrackEventOptions): Promise<void> {
    const id = checkPersonId(personId);
    const body = { ...eventBody(path, data, options, 'path'), type: 'page' };
    await this.#sdk.track((client) => client.track(id, body));
  }

  /** Reports what happened to a delivered message (`POST /api/v1/metrics`). */
  async trackMetric(metric: CustomerIOMetric): Promise<void> {
    const body = {
      delivery_id: checkName(metric.deliveryId, 'deliveryId'),
      metric: checkOneOf(metric.metric, 'metric', ['delivered', 'opened', 'clicked', 'converted', 'bounced', 'spammed', 'dropped', 'failed', 'sent']),
      timestamp: toUnixSeconds(metric.timestamp ?? new Date()),
      ...(metric.recipient !== undefined && { recipient: metric.recipient }),
      ...(metric.reason !== undefined && { reason: metric.reason }),
      ...(metric.href !== undefined && { href: metric.href }),
    };
    await this.#sdk.track((client) => client.request.post(`${client.trackRoot}/metrics`, body));
  }

  /** Reports a push metric through the legacy `POST /api/v1/push/events`. */
  async trackPush(metric: CustomerIOPushMetric): Promise<void> {
    const body = {
      delivery_id: checkName(metric.deliveryId, 'deliveryId'),
      event: checkOneOf(metric.event, 'event', ['delivered', 'opened', 'converted']),
      timestamp: toUnixSeconds(metric.timestamp ?? new Date()),
      ...(metric.deviceId !== undefined && { device_id: checkName(metric.deviceId, 'deviceId') }),
    };
    await this.#sdk.track((client) => client.trackPush(body));
  }

  /** Registers (or updates) a person's device for push. */
  async addDevice(personId: CustomerIOPersonId, deviceId: string, platform: 'ios' | 'android', options: CustomerIODeviceOptions = {}): Promise<void> {
    const id = checkPersonId(personId);
    const device = checkName(deviceId, 'deviceId');
    checkOneOf(platform, 'platform', ['ios', 'android']);
    if (options.attributes !== undefined) checkAttributes(options.attributes, 'attributes');
    const data = {
      ...options.attributes,
      ...(options.lastUsed !== undefined && { last_used: toUnixSeconds(options.lastUsed, 'lastUsed') }),
    };
    await this.#sdk.track((client) => client.addDevice(id, device, platform, data));
  }

  /** Removes a person's device. */
  async deleteDevice(personId: CustomerIOPersonId, deviceId: string): Promise<void> {
    const id = checkPersonId(personId);
    const device = checkName(deviceId, 'deviceId');
    await this.#sdk.track((client) => client.deleteDevice(id, device));
  }

  /** Merges `secondary` into `primary` (which must exist); irreversible. */
  async mergeCustomers(primary: CustomerIOPersonIdentifier, secondary: CustomerIOPersonIdentifier): Promise<void> {
    const [primaryType, primaryId] = identifier(primary, 'primary');
    const [secondaryType, secondaryId] = identifier(secondary, 'secondary');
    await this.#sdk.track((client) => client.mergeCustomers(primaryType, primaryId, secondaryType, secondaryId));
  }

  /** Sends a transactional email (App API). */
  async sendEmail(message: CustomerIOEmailMessage): Promise<CustomerIOResponseBody> {
    this.#requireAppApi('sendEmail');
    return this.#sdk.app((client) => client.sendEmail(new cio.SendEmailRequest(message)));
  }

  /** Sends a transactional push (App API). */
  async sendPush(message: CustomerIOPushMessage): Promise<CustomerIOResponseBody> {
    this.#requireAppApi('sendPush');
    return this.#sdk.app((client) => client.sendPush(new cio.SendPushRequest(message)));
  }

  /** Sends a transactional SMS (App API). */
  async sendSMS(message: CustomerIOSmsMessage): Promise<CustomerIOResponseBody> {
    this.#requireAppApi('sendSMS');
    return this.#sdk.app((client) => client.sendSMS(new cio.SendSMSRequest(message)));
  }

  /** Triggers an API-triggered broadcast (App API); `recipients` narrows who receives it. */
  async triggerBroadcast(
    broadcastId: string | number,
    options: { data?: Record<string, unknown>; recipients?: CustomerIOBroadcastRecipients } = {},
  ): Promise<CustomerIOResponseBody> {
    this.#requireAppApi('triggerBroadcast');
    const id = checkName(String(broadcastId), 'broadcastId');
    if (options.data !== undefined) checkEventData(options.data, 'data');
    const body = { ...(options.data && { data: options.data }), ...options.recipients };
    // NOTE: customerio-node 4.4 posts to a wrong path (/v1/api/campaigns/...); this path is right on every version.
    return this.#sdk.app((client) => client.request.post(`${client.apiRoot}/campaigns/${encodeURIComponent(id)}/triggers`, body));
  }

  #requireAppApi(method: string): void {
    if (!this.#options.appApiKey) throw new CustomerIOConfigError('appApiKey', APP_API_KEY_REQUIRED(method));
  }

  [inspect.custom](): string {
    return `CustomerIOClient { siteId: '${this.#options.siteId}', trackUrl: '${this.#options.trackUrl}' }`;
  }
}

function eventBody(name: string, data: CustomerIOEventData | undefined, options: TrackEventOptions = {}, nameField = 'name') {
  checkName(name, nameField, CUSTOMERIO_LIMITS.eventNameBytes);
  if (data !== undefined) checkEventData(data);
  return {
    name,
    ...(data !== undefined && { data }),
    ...(options.timestamp !== undefined && { timestamp: toUnixSeconds(options.timestamp) }),
    ...(options.id !== undefined && { id: checkName(options.id, 'id') }),
  };
}

function withUnixDates(attributes: CustomerIOAttributes): CustomerIOAttributes {
  const out: CustomerIOAttributes = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = value instanceof Date ? toUnixSeconds(value, `attributes.${key}`) : value;
  return out;
}

function identifier(value: CustomerIOPersonIdentifier, field: string): [IdentifierType, string] {
  const entries = Object.entries(value ?? {});
  if (entries.length !== 1) checkOneOf(undefined, field, ['{ id }', '{ email }', '{ cio_id }']);
  const [type, id] = entries[0];
  return [checkOneOf(type, `${field} identifier`, ['id', 'email', 'cio_id']) as IdentifierType, checkPersonId(id, `${field}.${type}`)];
}
