import cio from 'customerio-node';
import type { SendEmailRequest, SendPushRequest, SendSMSRequest } from 'customerio-node';
import { CustomerIOValidationError } from '../errors/customerio.errors.js';
import { checkName, checkOneOf, toUnixSeconds } from '../validation/input.checks.js';
import { INVALID_VALUE } from '../errors/customerio.messages.js';
import { type CustomerIODeviceAttributes, deviceAttributes } from './device-attributes.js';
import type { ApiPost, AppCall } from './operation.interface.js';

/** A device a transactional push goes to instead of the person's own (`custom_device`). */
export interface CustomerIOCustomDevice {
  /** The device token. */
  token: string;
  /** `ios` or `android`. */
  platform: 'ios' | 'android';
  /** When the device was last used: a `Date` or unix seconds. */
  last_used?: Date | number;
  /** Device attributes, with the device-attribute rule of `addDevice`. */
  attributes?: CustomerIODeviceAttributes;
}

/** A transactional email; the fields are Customer.io's (`to`, `identifiers`, `transactional_message_id`, …). */
export type CustomerIOEmailMessage = ConstructorParameters<typeof SendEmailRequest>[0] & {
  /** Files to attach: file name → content, base64-encoded. */
  attachments?: Record<string, string>;
};

/** A transactional push; `custom_device` (or the SDK's `device`) sends it to that device. */
export type CustomerIOPushMessage = ConstructorParameters<typeof SendPushRequest>[0] & {
  custom_device?: CustomerIOCustomDevice;
};

/** A transactional SMS. */
export type CustomerIOSmsMessage = ConstructorParameters<typeof SendSMSRequest>[0];

// NOTE: customerio-node builds these bodies field by field and drops `attachments` (email) and
// `custom_device` (push) on both majors; the module adds them back, checked, to the SDK's body.

/** Sending a transactional email (`sendEmail`; App API): `POST /v1/send/email`, attachments included. */
export function emailRequest(message: CustomerIOEmailMessage): ApiPost<'app'> {
  const body: Record<string, unknown> = { ...new cio.SendEmailRequest(message).message };
  if (message.attachments !== undefined) body.attachments = attachments(message.attachments);
  return { api: 'app', path: '/v1/send/email', body };
}

/** Sending a transactional push (`sendPush`; App API): `POST /v1/send/push`, `custom_device` included. */
export function pushRequest(message: CustomerIOPushMessage): ApiPost<'app'> {
  const body: Record<string, unknown> = { ...new cio.SendPushRequest(message).message };
  const device = message.custom_device ?? (message as { device?: unknown }).device;
  if (device !== undefined) body.custom_device = customDevice(device);
  return { api: 'app', path: '/v1/send/push', body };
}

/** Sending a transactional SMS (`sendSMS`; App API): `POST /v1/send/sms`, built by the SDK as it is sent. */
export function smsRequest(message: CustomerIOSmsMessage): AppCall {
  return { api: 'app', call: (client) => client.sendSMS(new cio.SendSMSRequest(message)) };
}

function attachments(files: unknown): Record<string, string> {
  const invalid = (field: string, expected: string, got: unknown) =>
    new CustomerIOValidationError(field, expected, INVALID_VALUE(field, expected, got));
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw invalid('attachments', 'an object', files);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(content)) {
      throw invalid(`attachments.${name}`, 'base64 text', content);
    }
  }
  return files as Record<string, string>;
}

function customDevice(device: unknown): Record<string, unknown> {
  if (typeof device !== 'object' || device === null) {
    throw new CustomerIOValidationError('custom_device', 'object', INVALID_VALUE('custom_device', 'an object', device));
  }
  const { token, platform, last_used: lastUsed, attributes } = device as Record<string, unknown>;
  return {
    token: checkName(token, 'custom_device.token'),
    platform: checkOneOf(platform, 'custom_device.platform', ['ios', 'android']),
    ...(lastUsed !== undefined && { last_used: toUnixSeconds(lastUsed as Date | number, 'custom_device.last_used') }),
    ...(attributes !== undefined && { attributes: deviceAttributes(attributes, 'custom_device.attributes') }),
  };
}
