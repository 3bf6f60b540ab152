import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkName, checkOneOf, toUnixSeconds } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import type { CustomerIOTimestamp } from '../interfaces/customerio-events.interface.js';
import type { ApiPost, TrackCall } from './operation.interface.js';

/**
 * The metrics `POST /api/v1/metrics` takes, per channel, as Customer.io's Track API document lists them.
 * The request carries no channel: `channel` only narrows what the module accepts.
 */
export const CUSTOMERIO_METRICS = {
  email: ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'],
  in_app: ['clicked', 'converted', 'opened'],
  push: ['converted', 'delivered', 'opened'],
  slack: ['clicked', 'converted', 'delivered', 'opened'],
  sms: ['bounced', 'clicked', 'delivered', 'opened'],
  webhook: ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'],
} as const;

/** A channel whose delivery metrics Customer.io takes. */
export type CustomerIOMetricChannel = keyof typeof CUSTOMERIO_METRICS;

/** A metric name of `channel` (of any channel when omitted). */
export type CustomerIOMetricName<C extends CustomerIOMetricChannel = CustomerIOMetricChannel> =
  (typeof CUSTOMERIO_METRICS)[C][number];

/** The fields besides `metric` each channel takes (`recipient`, `reason`, `href`), and the recipient's type. */
const FIELDS = {
  email: { recipient: 'string', reason: 'string', href: 'string' },
  in_app: { recipient: 'string', href: 'string' },
  push: { recipient: 'string' },
  slack: { href: 'string' },
  sms: { recipient: 'number', reason: 'string', href: 'string' },
  webhook: { reason: 'string', href: 'string' },
} as const satisfies Record<
  CustomerIOMetricChannel,
  Partial<Record<'recipient' | 'reason' | 'href', 'string' | 'number'>>
>;

type Fields = typeof FIELDS;
type TypeOf<T> = T extends 'number' ? number : string;

interface MetricBase {
  /** The `CIO-Delivery-ID` of the message. */
  deliveryId: string;
  /** When it happened. @default now */
  timestamp?: CustomerIOTimestamp;
}

/** A delivery metric of one channel: its metric names and the fields it takes. */
export type CustomerIOChannelMetric<C extends CustomerIOMetricChannel> = MetricBase & {
  /** The message's channel; checked, not sent. */
  channel: C;
  /** What happened to the message. */
  metric: CustomerIOMetricName<C>;
} & { [F in keyof Fields[C]]?: TypeOf<Fields[C][F]> };

/**
 * A delivery metric for `trackMetric` (`POST /api/v1/metrics`). With `channel`, the metric and fields are
 * checked against that channel's; without it, the metric is one any channel takes.
 */
export type CustomerIOMetric =
  | { [C in CustomerIOMetricChannel]: CustomerIOChannelMetric<C> }[CustomerIOMetricChannel]
  | (MetricBase & {
      /** No channel: the metric must be one some channel takes. @default undefined */
      channel?: undefined;
      /** What happened to the message. */
      metric: CustomerIOMetricName;
      /** The email address or device token the message went to. */
      recipient?: string;
      /** Why it failed or bounced. */
      reason?: string;
      /** The link that was clicked. */
      href?: string;
    });

const ANY_CHANNEL = [...new Set(Object.values(CUSTOMERIO_METRICS).flat())];
const ANY_FIELDS = { recipient: 'string', reason: 'string', href: 'string' } as const;

/** Reporting what happened to a delivered message (`trackMetric`; no batch form): `POST /api/v1/metrics`. */
export function metricRequest(input: CustomerIOMetric): ApiPost<'track'> {
  const channel =
    input.channel === undefined
      ? undefined
      : checkOneOf(input.channel, 'channel', Object.keys(CUSTOMERIO_METRICS) as CustomerIOMetricChannel[]);
  const body: Record<string, unknown> = {
    delivery_id: checkName(input.deliveryId, 'deliveryId'),
    metric: checkOneOf(
      input.metric,
      channel ? `metric (${channel})` : 'metric',
      channel ? CUSTOMERIO_METRICS[channel] : ANY_CHANNEL,
    ),
    timestamp: toUnixSeconds(input.timestamp ?? new Date()),
  };
  const fields: Partial<Record<string, 'string' | 'number'>> = channel ? FIELDS[channel] : ANY_FIELDS;
  for (const name of ['recipient', 'reason', 'href'] as const) {
    const value = (input as Partial<Record<typeof name, unknown>>)[name];
    if (value === undefined) continue;
    const type = fields[name];
    const expected = type === 'number' ? 'an integer (the phone number)' : 'a string';
    const valid = type === 'number' ? Number.isSafeInteger(value) : typeof value === 'string';
    if (!type || !valid) {
      const why = type ? expected : `absent: the ${channel} channel does not take it`;
      throw new CustomerIOValidationError(name, type ? expected : 'absent', INVALID_VALUE(name, why, value));
    }
    body[name] = value;
  }
  return { api: 'track', path: '/api/v1/metrics', body };
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

/** Reporting a push metric (`trackPush`; no batch form): the legacy `POST /api/v1/push/events`, built by the SDK. */
export function pushMetricRequest(metric: CustomerIOPushMetric): TrackCall {
  const body = {
    delivery_id: checkName(metric.deliveryId, 'deliveryId'),
    event: checkOneOf(metric.event, 'event', ['delivered', 'opened', 'converted']),
    timestamp: toUnixSeconds(metric.timestamp ?? new Date()),
    ...(metric.deviceId !== undefined && { device_id: checkName(metric.deviceId, 'deviceId') }),
  };
  return { api: 'track', call: (client) => client.trackPush(body) };
}
