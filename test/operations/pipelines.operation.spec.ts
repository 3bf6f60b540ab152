import { describe, expect, it } from '@jest/globals';
import { CustomerIOConfigError } from '../../lib/index.js';
import { queuedRoute } from '../../lib/delivery/queued-operation.format.js';
import { PIPELINES_OPERATIONS, TRACK_OPERATIONS } from '../../lib/operations/api-operations.js';
import { queued, refusal } from './sdk-request.js';

const ops = PIPELINES_OPERATIONS;
const AT = new Date('2026-03-04T05:06:07Z');

/** The queued JSON of a Pipelines operation, as a string, written with `operationId`. */
function json(operation: { json: string | ((id: string) => string) }, operationId = 'op-1'): string {
  return typeof operation.json === 'string' ? operation.json : operation.json(operationId);
}

describe('Pipelines API calls, in the shapes of Customer.io’s Pipelines OpenAPI document', () => {
  it('identify: userId, traits (Date values as unix seconds, as on the Track API), ISO timestamp, messageId', () => {
    const operation = ops.identify('u1', { plan: 'pro', signed_up: AT }, { timestamp: AT });
    expect(queued(operation, '01J0')).toEqual({
      type: 'identify',
      userId: 'u1',
      traits: { plan: 'pro', signed_up: AT.getTime() / 1000 },
      timestamp: '2026-03-04T05:06:07.000Z',
      messageId: '01J0',
    });
    expect(operation.key).toBe('u1');
    expect(operation.direct()).toMatchObject({ api: 'pipelines', path: '/identify' });
  });

  it('track, page and screen: the event name, properties, the time of the call; messageId is the event id when given', () => {
    const before = Date.now();
    const track = queued(ops.event('u1', 'event', 'signed_up', { plan: 'pro' }), 'op-7') as Record<string, unknown>;
    expect(track).toMatchObject({ type: 'track', userId: 'u1', event: 'signed_up', properties: { plan: 'pro' } });
    expect(track.messageId).toBe('op-7');
    expect(Date.parse(track.timestamp as string)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(queued(ops.event('u1', 'event', 'x', undefined, { id: 'mine' }))).toMatchObject({ messageId: 'mine' });
    expect(queued(ops.event('u1', 'page', '/pricing', { ref: 'ad' }))).toMatchObject({
      type: 'page',
      name: '/pricing',
      properties: { ref: 'ad' },
    });
    expect(queued(ops.event(42, 'screen', 'Home'))).toMatchObject({ type: 'screen', userId: '42', name: 'Home' });
    expect(ops.event('u1', 'screen', 'Home').direct()).toMatchObject({ path: '/screen' });
  });

  it('anonymous events: track with anonymousId, keyed by it, in the batch (no v1 detour)', () => {
    const operation = ops.anonymousEvent('anon-1', 'viewed', { page: 2 });
    expect(queued(operation)).toMatchObject({ type: 'track', anonymousId: 'anon-1', event: 'viewed' });
    expect(queued(operation)).not.toHaveProperty('userId');
    expect(operation.key).toBe('anon-1');
    expect(queuedRoute(json(operation))).toBe('pipelines');
  });

  it('deletion, suppression and devices are the semantic events Customer.io documents', () => {
    expect(queued(ops.destroy('u1'))).toMatchObject({ type: 'track', userId: 'u1', event: 'User Deleted' });
    expect(queued(ops.suppress('u1'))).toMatchObject({ event: 'User Suppressed' });
    expect(queued(ops.unsuppress('u1'))).toMatchObject({ event: 'User Unsuppressed' });
    expect(
      queued(ops.addDevice('u1', 'tok', 'ios', { lastUsed: AT, attributes: { push_enabled: true } })),
    ).toMatchObject({
      event: 'Device Created or Updated',
      context: { device: { token: 'tok', type: 'ios' } },
      properties: { push_enabled: 'true', last_used: AT.getTime() / 1000 },
    });
    expect(queued(ops.deleteDevice('u1', 'tok'))).toMatchObject({
      event: 'Device Deleted',
      context: { device: { token: 'tok' } },
    });
  });

  it('group: groupId, traits with object_type_id (a stringified integer, 1 by default) and relationshipAttributes', () => {
    expect(queued(ops.group('u1', 'acme', { name: 'Acme' }))).toMatchObject({
      type: 'group',
      userId: 'u1',
      groupId: 'acme',
      traits: { name: 'Acme', object_type_id: '1' },
    });
    expect(
      queued(ops.group('u1', 7, {}, { objectTypeId: 2, relationshipAttributes: { role: 'admin' } })),
    ).toMatchObject({
      groupId: '7',
      traits: { object_type_id: '2', relationshipAttributes: { role: 'admin' } },
    });
  });

  it('alias: previousId into userId, keyed by userId', () => {
    const operation = ops.alias('anon-1', 'u1');
    expect(queued(operation)).toMatchObject({ type: 'alias', previousId: 'anon-1', userId: 'u1' });
    expect(operation.key).toBe('u1');
  });

  it('refuses what the Pipelines API cannot carry, at the call site, naming the field or the option', () => {
    expect(refusal(() => ops.identify({ email: 'a@example.com' })).field).toBe('personId');
    expect(refusal(() => ops.event({ phone: '+14155550100' }, 'event', 'x')).field).toBe('personId');
    expect(ops.identify({ id: 'u1' }).key).toBe('u1');
    expect(refusal(() => ops.event('u1', 'event', 'x'.repeat(101))).field).toBe('name');
    expect(refusal(() => ops.alias('', 'u1')).field).toBe('previousId');
    expect(() => ops.identify('u1', {}, { updateOnly: true })).toThrow(CustomerIOConfigError);
    expect(() => ops.identify('u1', {}, { updateOnly: true })).toThrow(/updateOnly has no Pipelines API form/);
  });

  it('each queued form names its route: Pipelines calls apart from Track API operations', () => {
    for (const operation of [ops.identify('u'), ops.destroy('u'), ops.group('u', 'g'), ops.event('u', 'page', '/')]) {
      expect(queuedRoute(json(operation))).toBe('pipelines');
    }
    // NOTE: the document's /batch takes no alias call: it goes alone to /v1/alias.
    expect(queuedRoute(json(ops.alias('a', 'u')))).toBe('alias');
    expect(queuedRoute(json(TRACK_OPERATIONS.identify('u')))).toBe('track');
    expect(queuedRoute(json(TRACK_OPERATIONS.group('u', 'g')))).toBe('track');
    expect(queuedRoute(json(TRACK_OPERATIONS.anonymousEvent('a', 'e')))).toBe('events');
  });
});

describe('the Pipelines-only calls on the Track API', () => {
  it('group is the object’s identify, related to the person (what Customer.io makes of a group call)', () => {
    const operation = TRACK_OPERATIONS.group('u1', 'acme', { name: 'Acme' }, { relationshipAttributes: { role: 'a' } });
    expect(queued(operation)).toEqual({
      type: 'object',
      identifiers: { object_type_id: '1', object_id: 'acme' },
      action: 'identify',
      attributes: { name: 'Acme' },
      cio_relationships: [{ identifiers: { id: 'u1' }, relationship_attributes: { role: 'a' } }],
    });
  });

  it('alias throws a CustomerIOConfigError naming the api option and what to use instead', () => {
    expect(() => TRACK_OPERATIONS.alias('a', 'u')).toThrow(CustomerIOConfigError);
    expect(() => TRACK_OPERATIONS.alias('a', 'u')).toThrow(/Pipelines API call .*mergeCustomers/);
  });
});
