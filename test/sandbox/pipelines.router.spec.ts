/**
 * The sandbox's Pipelines API over real HTTP, driven by customerio-node 5.2's PipelinesClient (and raw requests for
 * what it never sends): credentials, every call recorded in the Track API's model, batches, strict and permissive
 * validation, semantic events.
 */
import { describe, expect, it } from '@jest/globals';
import { CustomerIORequestError, PipelinesClient } from 'customerio-node-v5';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call, pipelines } = sandboxCalls(() => sandbox);

/** customerio-node 5.2's Pipelines client on the sandbox, no retries. */
const client = (key = sandbox.pipelinesKey, strictMode = true): PipelinesClient =>
  new PipelinesClient(key, { url: `${sandbox.url}/v1`, strictMode, retry: { maxRetries: 0 } });
/** What a client call rejected with. */
const rejection = (promise: Promise<unknown>): Promise<CustomerIORequestError> =>
  promise.then(
    () => Promise.reject(new Error('expected a rejection')),
    (error: unknown) => error as CustomerIORequestError,
  );
const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

describe('CustomerIOSandbox: Pipelines API', () => {
  it('answers 401 to a missing or wrong key, or a key with a password, and applies nothing', async () => {
    const error = await rejection(client('wrong-key').identify({ userId: 'u1', traits: { a: 1 } }));
    expect(error).toBeInstanceOf(CustomerIORequestError);
    expect(error.statusCode).toBe(401);
    for (const authorization of [
      undefined,
      `Basic ${Buffer.from(`${sandbox.pipelinesKey}:secret`).toString('base64')}`,
      `Basic ${Buffer.from(`${sandbox.siteId}:${sandbox.apiKey}`).toString('base64')}`,
      `Bearer ${sandbox.appApiKey}`,
    ]) {
      const headers: Record<string, string> = authorization ? { authorization } : {};
      expect(await call('POST', '/v1/identify', { userId: 'u1' }, { headers })).toMatchObject({ status: 401 });
    }
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.droppedCalls).toEqual([]);
  });

  it('records every kind of call as the Track API records the same data', async () => {
    const cdp = client();
    expect(await cdp.identify({ userId: 'u1', traits: { plan: 'pro', email: 'a@b.c' } })).toEqual({});
    await cdp.identify({ userId: 'u1', traits: { plan: 'team' } });
    const timestamp = '2026-03-04T05:06:07.890Z';
    await cdp.track({ userId: 'u1', event: 'Paid', properties: { n: 1 }, messageId: 'm-1', timestamp });
    await cdp.track({ anonymousId: 'anon-1', event: 'Viewed' });
    await cdp.page({ userId: 'u1', name: 'Pricing', properties: { url: 'https://x.io/pricing' } });
    await cdp.page({ anonymousId: 'anon-1', properties: { url: 'https://x.io/' } });
    await cdp.screen({ userId: 'u1', name: 'Cart' });
    await cdp.group({
      userId: 'u1',
      groupId: 'acme',
      traits: { name: 'Acme', object_type_id: '2', relationshipAttributes: { role: 'admin' } },
    });
    await cdp.group({ userId: 'u1', groupId: 'beta', traits: { name: 'Beta' } });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { plan: 'team', email: 'a@b.c' },
      devices: {},
      suppressed: false,
    });
    expect(sandbox.events).toEqual([
      {
        id: 'm-1',
        personId: 'u1',
        name: 'Paid',
        type: 'event',
        data: { n: 1 },
        timestamp: at(timestamp),
        api: 'pipelines',
      },
      expect.objectContaining({ personId: 'anon-1', anonymousId: 'anon-1', name: 'Viewed', type: 'event', data: {} }),
      expect.objectContaining({ personId: 'u1', name: 'Pricing', type: 'page', data: { url: 'https://x.io/pricing' } }),
      expect.objectContaining({ personId: 'anon-1', name: 'https://x.io/', type: 'page' }),
      expect.objectContaining({ personId: 'u1', name: 'Cart', type: 'screen', data: {}, api: 'pipelines' }),
    ]);
    // the client fills messageId and timestamp: both recorded
    expect(sandbox.events[4]).toEqual(
      expect.objectContaining({ id: expect.any(String), timestamp: expect.any(Number) }),
    );
    expect(sandbox.objects.get('2:acme')).toEqual({
      key: '2:acme',
      attributes: { name: 'Acme' },
      relationships: { u1: { role: 'admin' } },
    });
    expect(sandbox.objects.get('1:beta')?.relationships).toEqual({ u1: {} });
    expect(sandbox.droppedCalls).toEqual([]);
  });

  it('alias merges the previous profile into the userId, and an identify with both ids does too', async () => {
    const cdp = client();
    await cdp.identify({ anonymousId: 'anon-1', traits: { source: 'ad', plan: 'free' } });
    await cdp.identify({ userId: 'u1', traits: { plan: 'pro' } });
    await cdp.alias({ previousId: 'anon-1', userId: 'u1' });
    expect(sandbox.aliases).toEqual([{ previousId: 'anon-1', userId: 'u1' }]);
    expect([...sandbox.people.keys()]).toEqual(['u1']);
    expect(sandbox.people.get('u1')?.attributes).toEqual({ source: 'ad', plan: 'pro' });
    await cdp.identify({ anonymousId: 'anon-2', traits: { referrer: 'x' } });
    await cdp.identify({ userId: 'u2', anonymousId: 'anon-2', traits: { plan: 'team' } });
    expect([...sandbox.people.keys()]).toEqual(['u1', 'u2']);
    expect(sandbox.people.get('u2')?.attributes).toEqual({ referrer: 'x', plan: 'team' });
    expect(sandbox.counts).toEqual(expect.objectContaining({ aliases: 1, droppedCalls: 0 }));
  });

  it('applies a batch in order, with the batch context under each call, and records it', async () => {
    await client().batch([
      { type: 'identify', userId: 'u1', traits: { a: 1 } },
      { type: 'track', userId: 'u1', event: 'Paid' },
      { type: 'page', userId: 'u1', name: 'Home' },
      { type: 'screen', anonymousId: 'anon-1', name: 'Cart' },
      { type: 'group', userId: 'u1', groupId: 'acme' },
    ]);
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 1 });
    expect(sandbox.events.map(({ type, name }) => `${type}:${name}`)).toEqual([
      'event:Paid',
      'page:Home',
      'screen:Cart',
    ]);
    expect(sandbox.objects.has('1:acme')).toBe(true);
    expect(sandbox.batches).toEqual([
      { api: 'pipelines', operations: 5, bytes: sandbox.requests[0].bytes, status: 200 },
    ]);
    // the device of a semantic event can come from the batch's context
    const device = { type: 'track', userId: 'u1', event: 'Device Created or Updated', properties: { model: 'x' } };
    expect(
      await pipelines('batch', { batch: [device], context: { device: { token: 'tok', type: 'ios' } } }, true),
    ).toEqual(expect.objectContaining({ status: 200, body: {} }));
    expect(sandbox.people.get('u1')?.devices).toEqual({
      tok: { id: 'tok', platform: 'ios', attributes: { model: 'x' } },
    });
  });

  it('X-Strict-Mode: 1 answers 400 naming each invalid call and its field, and applies nothing of the batch', async () => {
    const calls = [
      { type: 'identify', userId: 'u1', traits: { a: 1 } },
      { type: 'track', event: 'Paid' },
      { type: 'track', userId: 'u1', event: 'Paid', timestamp: 1_700_000_000 },
      { type: 'group', userId: 'u1' },
      { type: 'alias', userId: 'u1', previousId: 'a1' },
    ];
    const expected = [
      'batch[1].userId: required (or anonymousId)',
      'batch[2].timestamp: must be an ISO 8601 date-time',
      'batch[3].groupId: required',
      'batch[4].type: must be one of identify, track, page, screen, group',
    ];
    expect(await pipelines('batch', { batch: calls }, true)).toMatchObject({
      status: 400,
      body: { meta: { errors: expected } },
    });
    const error = await rejection(client().batch(calls as never));
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('batch[1].userId: required');
    expect(await pipelines('track', { userId: 'u1' }, true)).toMatchObject({
      status: 400,
      body: { meta: { errors: ['event: required'] } },
    });
    expect(await pipelines('identify', '{"userId":', true)).toMatchObject({
      status: 400,
      body: { meta: { errors: ['body: invalid JSON'] } },
    });
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.events).toEqual([]);
    expect(sandbox.droppedCalls).toEqual([]);
    expect(sandbox.batches.map(({ status, operations }) => [status, operations])).toEqual([
      [400, 5],
      [400, 5],
    ]);
  });

  it('without X-Strict-Mode answers 200, applies the valid calls and records the others as dropped', async () => {
    const batch = [
      { type: 'identify', userId: 'u1', traits: { a: 1 } },
      { type: 'track', event: 'Paid' },
      { type: 'page', userId: 'u1', name: 'Home' },
    ];
    expect(await client(undefined, false).batch(batch as never)).toEqual({});
    expect(await pipelines('track', { userId: 'u1' })).toMatchObject({ status: 200, body: {} });
    expect(await pipelines('identify', 'not json')).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')?.attributes).toEqual({ a: 1 });
    expect(sandbox.events.map(({ name }) => name)).toEqual(['Home']);
    expect(sandbox.droppedCalls).toEqual([
      { reason: 'batch[1].userId: required (or anonymousId)', call: expect.objectContaining({ event: 'Paid' }) },
      { reason: 'event: required', call: { userId: 'u1' } },
      { reason: 'body: invalid JSON' },
    ]);
    expect(sandbox.counts.droppedCalls).toBe(3);
  });

  it('semantic events act instead of being recorded as events', async () => {
    const cdp = client();
    const track = (payload: Record<string, unknown>): Promise<unknown> => cdp.track(payload as never);
    await cdp.identify({ userId: 'u1', traits: { a: 1 } });
    await track({
      userId: 'u1',
      event: 'Device Created or Updated',
      context: { device: { token: 't1', type: 'android' } },
    });
    await track({ userId: 'u1', event: 'Device Created or Updated', context: { device: { token: 't2' } } });
    await track({ userId: 'u1', event: 'Device Deleted', context: { device: { token: 't2' } } });
    await track({ userId: 'u1', event: 'User Suppressed' });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { a: 1 },
      devices: { t1: { id: 't1', platform: 'android' } },
      suppressed: true,
    });
    await track({ userId: 'u1', event: 'User Unsuppressed' });
    expect(sandbox.people.get('u1')?.suppressed).toBe(false);
    await cdp.group({ userId: 'u1', groupId: 'acme' });
    await cdp.group({ userId: 'u2', groupId: 'acme' });
    await cdp.group({ userId: 'u1', groupId: 'beta', traits: { object_type_id: '3' } });
    await track({ userId: 'u1', event: 'Relationship Deleted', properties: { objectId: 'acme' } });
    expect(sandbox.objects.get('1:acme')?.relationships).toEqual({ u2: {} });
    await track({ anonymousId: 'a', event: 'Object Deleted', properties: { objectId: 'beta', objectTypeId: 3 } });
    expect([...sandbox.objects.keys()]).toEqual(['1:acme']);
    const timestamp = '2026-01-02T03:04:05Z';
    await track({
      event: 'Report Delivery Event',
      anonymousId: 'a',
      timestamp,
      properties: { deliveryId: 'd1', metric: 'opened' },
    });
    expect(sandbox.metrics).toEqual([{ delivery_id: 'd1', metric: 'opened', timestamp: at(timestamp) }]);
    await track({ userId: 'u1', event: 'User Deleted' });
    expect(sandbox.people.has('u1')).toBe(false);
    expect(sandbox.deletedPeople).toEqual(['u1']);
    expect(sandbox.events).toEqual([]);
    const error = await rejection(track({ userId: 'u1', event: 'Device Deleted' }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('context.device: required');
  });
});
