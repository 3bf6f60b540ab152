import { checkEnum, checkTimestamp, checkType, fail, type OperationError } from './sandbox-validation.js';

/**
 * Metric names of `POST /api/v1/metrics`, by channel (`metric` of each `oneOf` branch). The body does not name
 * its channel (the delivery does), so a request is checked against their union.
 */
export const METRICS_BY_CHANNEL = {
  email: ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'],
  in_app: ['clicked', 'converted', 'opened'],
  push: ['converted', 'delivered', 'opened'],
  slack: ['clicked', 'converted', 'delivered', 'opened'],
  sms: ['bounced', 'clicked', 'delivered', 'opened'],
  webhook: ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'],
} as const;
const METRICS: readonly string[] = [...new Set(Object.values(METRICS_BY_CHANNEL).flat())];
/** Event names of the deprecated `POST /api/v1/push/events`. */
const PUSH_EVENTS = ['opened', 'converted', 'delivered'];

/** Checks a `POST /api/v1/metrics` body (`track-metrics` plus a channel's fields). */
export function checkMetric(body: Record<string, unknown>): OperationError | undefined {
  const { delivery_id: deliveryId, metric, timestamp, recipient, reason, href } = body;
  if (typeof deliveryId !== 'string' || deliveryId === '') return fail('delivery_id', 'delivery_id is required');
  if (metric === undefined) return fail('metric', 'metric is required');
  // NOTE: `recipient` is a string on every channel but SMS, where the spec types it as an integer.
  if (recipient !== undefined && typeof recipient !== 'string' && !Number.isInteger(recipient)) {
    return fail('recipient', 'recipient must be a string (an integer for SMS)');
  }
  return (
    checkEnum(metric, 'metric', METRICS) ??
    checkTimestamp(timestamp, 'timestamp') ??
    checkType(reason, 'reason', 'string') ??
    checkType(href, 'href', 'string')
  );
}

/** Checks a `POST /api/v1/push/events` body (every field optional in the spec; typed when present). */
export function checkPushMetric(body: Record<string, unknown>): OperationError | undefined {
  const { delivery_id: deliveryId, event, device_id: deviceId, timestamp } = body;
  return (
    checkType(deliveryId, 'delivery_id', 'string') ??
    checkEnum(event, 'event', PUSH_EVENTS) ??
    checkType(deviceId, 'device_id', 'string') ??
    checkTimestamp(timestamp, 'timestamp')
  );
}
