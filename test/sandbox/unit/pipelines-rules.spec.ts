/**
 * The Pipelines API rules on their own, as Customer.io's Pipelines API document states them: what every call needs
 * (its identifiers, `event`, `groupId`, objects where objects go), what `strict` adds (`common_fields` types and
 * formats, reserved traits, enums), and the semantic events' required fields.
 */
import { describe, expect, it } from '@jest/globals';
import { checkSemanticEvent } from '../../../lib/sandbox/pipelines-semantic.rules.js';
import {
  batchCallKind,
  checkPipelinesCall,
  isDateTime,
  type PipelinesCallKind,
} from '../../../lib/sandbox/pipelines.rules.js';

/** The error of a call as `field: message`, or `undefined` when it is valid. */
function error(kind: PipelinesCallKind, call: unknown, strict = true): string | undefined {
  const found =
    checkPipelinesCall(call, kind, strict) ??
    (kind === 'track' ? checkSemanticEvent(call as Record<string, unknown>, strict) : undefined);
  return found && `${found.field ?? 'body'}: ${found.message}`;
}

describe('checkPipelinesCall', () => {
  it('takes the calls of the document, identified by userId or anonymousId (a track also by groupId)', () => {
    const valid: Array<[PipelinesCallKind, unknown]> = [
      ['identify', { userId: 'u1', traits: { email: 'a@b.c', createdAt: '2026-01-02T03:04:05Z', plan: 'pro' } }],
      ['identify', { anonymousId: 'a1' }],
      [
        'track',
        {
          userId: 'u1',
          event: 'Paid',
          properties: { n: 1 },
          messageId: 'm1',
          timestamp: '2026-01-02T03:04:05.123+01:00',
        },
      ],
      ['track', { anonymousId: 'a1', event: 'Viewed', type: 'track' }],
      ['track', { groupId: 'g1', event: 'Renewed' }],
      ['page', { userId: 'u1', name: 'Home', properties: { url: 'https://x.io/' } }],
      ['screen', { anonymousId: 'a1', name: 'Cart' }],
      [
        'group',
        { userId: 'u1', groupId: 'acme', traits: { object_type_id: '2', relationshipAttributes: { role: 'admin' } } },
      ],
      ['alias', { previousId: 'a1', userId: 'u1' }],
    ];
    for (const [kind, call] of valid)
      expect({ kind, call, error: error(kind, call) }).toEqual({ kind, call, error: undefined });
  });

  it('always refuses what the sandbox needs to apply a call: identifiers, event, groupId, objects', () => {
    for (const strict of [true, false]) {
      expect(error('identify', { traits: {} }, strict)).toBe('userId: required (or anonymousId)');
      expect(error('identify', { userId: '' }, strict)).toBe('userId: required');
      expect(error('identify', { userId: 7 }, strict)).toBe('userId: must be a string');
      expect(error('identify', { userId: 'u1', traits: [] }, strict)).toBe('traits: must be an object');
      expect(error('track', { userId: 'u1' }, strict)).toBe('event: required');
      expect(error('track', { userId: 'u1', event: 'e', properties: 'x' }, strict)).toBe(
        'properties: must be an object',
      );
      expect(error('page', { userId: 'u1', name: 3 }, strict)).toBe('name: must be a string');
      expect(error('group', { userId: 'u1' }, strict)).toBe('groupId: required');
      expect(error('group', { userId: 'u1', groupId: 'g', traits: { relationshipAttributes: [] } }, strict)).toBe(
        'traits.relationshipAttributes: must be an object',
      );
      expect(error('alias', { userId: 'u1' }, strict)).toBe('previousId: required');
      expect(error('alias', { previousId: 'a1' }, strict)).toBe('userId: required');
      expect(error('track', [], strict)).toBe('body: must be a JSON object');
    }
  });

  it('strict: refuses what the document types otherwise (common fields, reserved traits, object_type_id a string)', () => {
    const cases: Array<[PipelinesCallKind, unknown, string]> = [
      ['track', { userId: 'u1', event: 'e', timestamp: 1_700_000_000 }, 'timestamp: must be an ISO 8601 date-time'],
      ['track', { userId: 'u1', event: 'e', sentAt: '2026-13-01T00:00:00Z' }, 'sentAt: must be an ISO 8601 date-time'],
      ['track', { userId: 'u1', event: 'e', messageId: 5 }, 'messageId: must be a string'],
      ['track', { userId: 'u1', event: 'e', context: 'web' }, 'context: must be an object'],
      [
        'track',
        { userId: 'u1', event: 'e', integrations: { Mixpanel: 'yes' } },
        'integrations.Mixpanel: must be a boolean',
      ],
      ['track', { userId: 'u1', event: 'e', type: 'page' }, 'type: must be "track"'],
      ['identify', { userId: 'u1', traits: { email: 5 } }, 'traits.email: must be a string'],
      [
        'identify',
        { userId: 'u1', traits: { createdAt: 1_700_000_000 } },
        'traits.createdAt: must be an ISO 8601 date-time',
      ],
      ['identify', { userId: 'u1', traits: { unsubscribed: 'no' } }, 'traits.unsubscribed: must be a boolean'],
      [
        'identify',
        { userId: 'u1', traits: { cio_subscription_preferences: { topics: { topic_1: 'yes' } } } },
        'traits.cio_subscription_preferences.topics.topic_1: must be a boolean',
      ],
      [
        'group',
        { userId: 'u1', groupId: 'g', traits: { object_type_id: 2 } },
        'traits.object_type_id: must be a string',
      ],
    ];
    for (const [kind, call, expected] of cases) {
      expect({ call, error: error(kind, call) }).toEqual({ call, error: expected });
      expect({ call, lenient: error(kind, call, false) }).toEqual({ call, lenient: undefined });
    }
  });
});

describe('batchCallKind', () => {
  it('takes the document batch items by type; alias only when not strict', () => {
    expect(batchCallKind({ type: 'identify' }, true)).toBe('identify');
    expect(batchCallKind({ type: 'alias' }, false)).toBe('alias');
    expect(batchCallKind({ type: 'alias' }, true)).toMatchObject({
      field: 'type',
      message: 'must be one of identify, track, page, screen, group',
    });
    expect(batchCallKind({ userId: 'u1' }, true)).toMatchObject({ field: 'type', message: 'required' });
    expect(batchCallKind('identify', true)).toMatchObject({ message: 'must be an object' });
  });
});

describe('checkSemanticEvent', () => {
  it('requires the fields each semantic event acts on', () => {
    for (const strict of [true, false]) {
      expect(error('track', { anonymousId: 'a1', event: 'User Deleted' }, strict)).toBe('userId: required');
      expect(error('track', { anonymousId: 'a1', event: 'User Suppressed' }, strict)).toBe('userId: required');
      expect(error('track', { userId: 'u1', event: 'Device Created or Updated' }, strict)).toBe('context: required');
      expect(error('track', { userId: 'u1', event: 'Device Deleted', context: { device: {} } }, strict)).toBe(
        'context.device.token: required',
      );
      expect(error('track', { userId: 'u1', event: 'Relationship Deleted', properties: {} }, strict)).toBe(
        'properties.objectId: required',
      );
      expect(error('track', { anonymousId: 'a1', event: 'Object Deleted' }, strict)).toBe('properties: required');
      expect(error('track', { userId: 'u1', event: 'Report Delivery Event' }, strict)).toBe('properties: required');
    }
  });

  it('strict: applies the schemas enums and types, and group_deleted requires anonymousId', () => {
    const cases: Array<[unknown, string]> = [
      [
        { userId: 'u1', event: 'Device Created or Updated', context: { device: { token: 't', type: 'web' } } },
        'context.device.type: must be one of ios, android',
      ],
      [
        { userId: 'u1', event: 'Relationship Deleted', properties: { objectId: 'o', objectTypeId: '2' } },
        'properties.objectTypeId: must be an integer',
      ],
      [
        { userId: 'u1', event: 'Relationship Deleted', properties: { objectId: 5 } },
        'properties.objectId: must be a string',
      ],
      [{ userId: 'u1', event: 'Object Deleted', properties: { objectId: 'o' } }, 'anonymousId: required'],
      [
        { userId: 'u1', event: 'Report Delivery Event', properties: { metric: 'bounced' } },
        'properties.metric: must be one of delivered, clicked, converted, opened',
      ],
      [
        { userId: 'u1', event: 'Report Delivery Event', properties: { deliveryId: 7 } },
        'properties.deliveryId: must be a string',
      ],
    ];
    for (const [call, expected] of cases) {
      expect({ call, error: error('track', call) }).toEqual({ call, error: expected });
      expect({ call, lenient: error('track', call, false) }).toEqual({ call, lenient: undefined });
    }
    expect(
      error('track', { userId: 'u1', event: 'Device Deleted', context: { device: { token: 't', type: 'ios' } } }),
    ).toBeUndefined();
  });
});

describe('isDateTime', () => {
  it('takes RFC 3339 date-times only', () => {
    for (const value of ['2026-01-02T03:04:05Z', '2026-01-02t03:04:05.5-07:00']) expect(isDateTime(value)).toBe(true);
    for (const value of ['2026-01-02', '2026-01-02 03:04:05Z', '2026-02-30T00:00:00', 1_700_000_000, 'yesterday'])
      expect({ value, ok: isDateTime(value) }).toEqual({ value, ok: false });
  });
});
