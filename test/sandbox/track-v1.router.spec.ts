/**
 * The sandbox's Track API v1 over real HTTP: what each endpoint records, and Customer.io's limits.
 */
import { describe, expect, it } from '@jest/globals';
import { type CustomerIOSandbox } from '../../lib/testing/index.js';
import { ulid, v1Errors, sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call } = sandboxCalls(() => sandbox);

describe('CustomerIOSandbox: Track API v1', () => {
  it('identifies people: creates, merges attributes, honours _update, decodes ids', async () => {
    expect(await call('PUT', '/api/v1/customers/u1', { email: 'a@b.c', plan: 'free', _timestamp: 1 })).toMatchObject({
      status: 200,
      body: {},
    });
    await call('PUT', '/api/v1/customers/u1', { plan: 'pro', _update: true });
    await call('PUT', '/api/v1/customers/ghost', { plan: 'pro', _update: true });
    await call('PUT', `/api/v1/customers/${encodeURIComponent('a/b@c.d')}`, { x: 1 });
    expect(sandbox.people.get('u1')).toEqual({
      id: 'u1',
      attributes: { email: 'a@b.c', plan: 'pro' },
      devices: {},
      suppressed: false,
    });
    expect(sandbox.people.has('ghost')).toBe(false);
    expect(sandbox.people.get('a/b@c.d')?.attributes).toEqual({ x: 1 });
  });

  it('deletes people', async () => {
    await call('PUT', '/api/v1/customers/u1', {});
    expect(await call('DELETE', '/api/v1/customers/u1')).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.has('u1')).toBe(false);
    expect(sandbox.deletedPeople).toEqual(['u1']);
  });

  it('records person events, page views and anonymous events', async () => {
    await call('POST', '/api/v1/customers/u1/events', {
      name: 'purchased',
      data: { total: 3 },
      timestamp: 1700000000,
      id: ulid(1),
    });
    await call('POST', '/api/v1/customers/u1/events', { name: '/pricing', type: 'page' });
    await call('POST', '/api/v1/events', { name: 'invited', anonymous_id: 'anon-1', data: { by: 'u1' } });
    expect(sandbox.events).toEqual([
      {
        id: ulid(1),
        personId: 'u1',
        name: 'purchased',
        type: 'event',
        data: { total: 3 },
        timestamp: 1700000000,
        api: 'v1',
      },
      { personId: 'u1', name: '/pricing', type: 'page', data: {}, api: 'v1' },
      { anonymousId: 'anon-1', name: 'invited', type: 'event', data: { by: 'u1' }, api: 'v1' },
    ]);
    expect(sandbox.people.size).toBe(0);
  });

  it('adds and deletes devices', async () => {
    await call('PUT', '/api/v1/customers/u1/devices', {
      device: { id: 'tok/1', platform: 'ios', last_used: 1700000000, attributes: { app_version: '2' } },
    });
    await call('PUT', '/api/v1/customers/u1/devices', { device: { id: 'tok2', platform: 'android' } });
    expect(sandbox.people.get('u1')?.devices).toEqual({
      'tok/1': { id: 'tok/1', platform: 'ios', lastUsed: 1700000000, attributes: { app_version: '2' } },
      tok2: { id: 'tok2', platform: 'android' },
    });
    expect(await call('DELETE', `/api/v1/customers/u1/devices/${encodeURIComponent('tok/1')}`)).toMatchObject({
      status: 200,
    });
    expect(Object.keys(sandbox.people.get('u1')?.devices ?? {})).toEqual(['tok2']);
    expect(await call('PUT', '/api/v1/customers/u1/devices', { device: { platform: 'ios' } })).toMatchObject({
      status: 400,
    });
  });

  it('suppresses and unsuppresses people', async () => {
    await call('POST', '/api/v1/customers/u1/suppress', {});
    expect(sandbox.people.get('u1')?.suppressed).toBe(true);
    await call('POST', '/api/v1/customers/u1/unsuppress', {});
    expect(sandbox.people.get('u1')?.suppressed).toBe(false);
  });

  it('merges people: 400 without a primary, else the primary wins and the secondary goes', async () => {
    const body = { primary: { id: 'u1' }, secondary: { email: 'old@x.io' } };
    expect(await call('POST', '/api/v1/merge_customers', body)).toMatchObject({ status: 400 });
    expect(sandbox.merges).toEqual([]);
    await call('PUT', '/api/v1/customers/u1', { plan: 'pro' });
    await call('PUT', '/api/v1/customers/old@x.io', { plan: 'free', city: 'Oslo' });
    expect(await call('POST', '/api/v1/merge_customers', body)).toMatchObject({ status: 200, body: {} });
    expect(sandbox.people.get('u1')?.attributes).toEqual({ plan: 'pro', city: 'Oslo' });
    expect(sandbox.people.has('old@x.io')).toBe(false);
    expect(sandbox.merges).toEqual([body]);
  });

  it('records push metrics from both endpoints', async () => {
    await call('POST', '/api/v1/push/events', { delivery_id: 'd1', event: 'opened' });
    await call('POST', '/api/v1/metrics', { delivery_id: 'd2', metric: 'delivered' });
    expect(sandbox.metrics).toEqual([
      { delivery_id: 'd1', event: 'opened' },
      { delivery_id: 'd2', metric: 'delivered' },
    ]);
  });

  it('enforces Customer.io limits with 400 {meta:{errors}}', async () => {
    const tooLongId = 'é'.repeat(76); // 152 bytes
    const answers = await Promise.all([
      call('PUT', `/api/v1/customers/${encodeURIComponent(tooLongId)}`, {}),
      call('PUT', '/api/v1/customers/%20', {}),
      call('POST', '/api/v1/customers/u1/events', { data: {} }),
      call('POST', '/api/v1/customers/u1/events', { name: '  ' }),
      call('POST', '/api/v1/customers/u1/events', { name: 'n'.repeat(101) }),
      call('POST', '/api/v1/customers/u1/events', { name: 'big', data: { blob: 'x'.repeat(100_000) } }),
      call('PUT', '/api/v1/customers/u1', { bio: 'ü'.repeat(501) }),
      call('PUT', '/api/v1/customers/u1', { tags: Array.from({ length: 200 }, () => 'abcd') }),
      call('PUT', '/api/v1/customers/u1', Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]))),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(v1Errors(answer)).toEqual([expect.any(String)]);
    }
    expect(v1Errors(answers[4])).toEqual(['event name is longer than 100 bytes']);
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.events).toHaveLength(0);
    // exactly at the limits is fine
    expect(await call('PUT', `/api/v1/customers/${'u'.repeat(150)}`, { bio: 'x'.repeat(1000) })).toMatchObject({
      status: 200,
    });
    expect(await call('POST', '/api/v1/customers/u1/events', { name: 'n'.repeat(100) })).toMatchObject({ status: 200 });
  });
});
