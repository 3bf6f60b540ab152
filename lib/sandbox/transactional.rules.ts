import { checkDevice } from './device.rules.js';
import type { SandboxTransactionalKind } from './sandbox-records.interface.js';
import {
  checkEnum,
  checkTimestamp,
  checkType,
  fail,
  identifierKey,
  isObject,
  MERGE_IDENTIFIERS,
  type OperationError,
} from './sandbox-validation.js';

type FieldType = 'string' | 'boolean' | 'object';

/** Fields every transactional message may carry (`transactionalSharedObject`), by JSON type. */
const SHARED: Record<string, FieldType> = {
  message_data: 'object',
  disable_message_retention: 'boolean',
  send_to_unsubscribed: 'boolean',
  queue_draft: 'boolean',
  auto_create: 'boolean',
  language: 'string',
};
/** Typed fields by kind (`sendemail` with `transactionalSharedEmailObject`, `sendpush`, `sendsms`). */
const FIELDS: Partial<Record<SandboxTransactionalKind, Record<string, FieldType>>> = {
  email: {
    to: 'string',
    body: 'string',
    body_amp: 'string',
    body_plain: 'string',
    subject: 'string',
    from: 'string',
    cc: 'string',
    bcc: 'string',
    fake_bcc: 'boolean',
    reply_to: 'string',
    preheader: 'string',
    disable_css_preprocessing: 'boolean',
    tracked: 'boolean',
    attachments: 'object',
  },
  push: {
    to: 'string',
    message: 'string',
    title: 'string',
    image_url: 'string',
    link: 'string',
    custom_data: 'object',
    custom_payload: 'object',
  },
  sms: { to: 'string', from: 'string', tracked: 'boolean' },
};
/** Required fields by kind. */
const REQUIRED: Partial<Record<SandboxTransactionalKind, readonly string[]>> = {
  email: ['to'],
  push: ['transactional_message_id', 'identifiers'],
  sms: ['transactional_message_id', 'identifiers', 'to'],
};

/**
 * Checks a `POST /v1/send/{email|push|sms}` body against the App API's schemas (other kinds: only that the body
 * is an object). `identifiers` is exactly one of id, email, cio_id (strings); `transactional_message_id` an
 * integer or a string; attachments map file names to (base64) strings; a push's `custom_device` is a device.
 */
export function checkTransactional(
  kind: SandboxTransactionalKind,
  body: Record<string, unknown>,
): OperationError | undefined {
  const missing = REQUIRED[kind]?.find((name) => body[name] === undefined);
  if (missing) return fail(missing, `${missing} is required`);
  const types = { ...SHARED, ...FIELDS[kind] };
  for (const [name, type] of Object.entries(types)) {
    const error = checkType(body[name], name, type);
    if (error) return error;
  }
  const { transactional_message_id: messageId, identifiers, send_at: sendAt } = body;
  if (messageId !== undefined && typeof messageId !== 'string' && !Number.isInteger(messageId)) {
    return fail('transactional_message_id', 'transactional_message_id must be an integer or a string');
  }
  if (identifiers !== undefined) {
    const identified = identifierKey(identifiers, 'identifiers', MERGE_IDENTIFIERS, true);
    if ('reason' in identified) return identified;
  }
  const error = checkTimestamp(sendAt, 'send_at') ?? (kind === 'email' ? checkEmailExtras(body) : undefined);
  if (error) return error;
  if (kind === 'push') {
    const device =
      body.custom_device === undefined ? undefined : checkDevice(body.custom_device, 'custom_device', 'token', true);
    if (device && 'reason' in device) return device;
    return checkEnum(body.sound, 'sound', ['default', 'none']);
  }
  return undefined;
}

function checkEmailExtras({ attachments, headers }: Record<string, unknown>): OperationError | undefined {
  for (const [name, content] of Object.entries(isObject(attachments) ? attachments : {})) {
    if (typeof content !== 'string') return fail(`attachments.${name}`, `attachments.${name} must be a base64 string`);
  }
  // NOTE: the spec types `headers` as a JSON string; Customer.io's docs and SDKs send an object: both are taken.
  if (headers !== undefined && typeof headers !== 'string' && !isObject(headers)) {
    return fail('headers', 'headers must be an object (or a JSON string)');
  }
  return undefined;
}

/**
 * Checks an API-triggered broadcast (`POST /v1/campaigns/{id}/triggers`): the id an integer (the spec's
 * `campaign_id`), `data` an object, `ids`, `emails` and `per_user_data` arrays, `id_ignore_missing` a boolean.
 */
export function checkBroadcast(broadcastId: string, body: Record<string, unknown>): OperationError | undefined {
  if (!/^\d+$/.test(broadcastId)) return fail('campaign_id', 'the broadcast id must be an integer');
  for (const name of ['ids', 'emails', 'per_user_data']) {
    if (body[name] !== undefined && !Array.isArray(body[name])) return fail(name, `${name} must be an array`);
  }
  return checkType(body.data, 'data', 'object') ?? checkType(body.id_ignore_missing, 'id_ignore_missing', 'boolean');
}
