/**
 * What the sandbox records over real HTTP: waitFor, reset, and the collections bounded by maxRecords.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { ulid, sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { trackAuth, appAuth, call, batch } = sandboxCalls(() => sandbox);

describe('CustomerIOSandbox: waitFor and reset', () => {
  it('waitFor resolves once the condition holds and rejects with a clear error on timeout', async () => {
    const waiting = sandbox.waitFor(() => sandbox.events.length === 1);
    await call('POST', '/api/v1/events', { name: 'invited' });
    await expect(waiting).resolves.toBeUndefined();
    await expect(sandbox.waitFor(() => sandbox.events.length === 2, 30)).rejects.toThrow(
      /waitFor: condition not met within 30 ms: .*events\.length === 2/,
    );
  });

  it('reset() clears state, request log, faults and the connection peak', async () => {
    await call('PUT', '/api/v1/customers/u1', {});
    await call('POST', '/api/v1/customers/u1/events', { name: 'e', id: ulid(1) });
    await call('POST', '/v1/send/sms', {});
    await batch([]);
    sandbox.respondWith(500, { path: '/api/v1/metrics' });
    sandbox.reset();
    expect(sandbox.people.size).toBe(0);
    expect(sandbox.events).toEqual([]);
    expect(sandbox.transactional).toEqual([]);
    expect(sandbox.batches).toEqual([]);
    expect(sandbox.requests).toEqual([]);
    expect(sandbox.peakConnections).toBe(sandbox.openConnections);
    expect(await call('POST', '/api/v1/metrics', { delivery_id: 'd1', metric: 'opened' })).toMatchObject({
      status: 200,
    });
    await call('POST', '/api/v1/customers/u1/events', { name: 'e', id: ulid(1) });
    expect(sandbox.events).toHaveLength(1);
    expect(sandbox.duplicateEvents).toBe(0);
  });
});

describe('CustomerIOSandbox: bounded records', () => {
  let small: CustomerIOSandbox;
  beforeEach(async () => {
    small = await CustomerIOSandbox.start({ maxRecords: 3 });
  });
  afterEach(() => small.close());

  const send = async (method: string, path: string, body: unknown): Promise<number> => {
    const authorization = path.startsWith('/api/') ? trackAuth() : appAuth();
    const response = await fetch(`${small.url}${path}`, {
      method,
      headers: { authorization },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return response.status;
  };

  it('keeps the last maxRecords entries of each collection while counts keep counting', async () => {
    for (let i = 1; i <= 5; i++) {
      await send('POST', '/api/v1/customers/u1/events', { name: `e${i}`, id: ulid(i) });
      await send('POST', '/api/v2/batch', {
        batch: [{ type: 'person', identifiers: { id: 'u1' }, action: 'page', name: `/p${i}` }],
      });
      await send('DELETE', `/api/v1/customers/gone-${i}`, {});
      await send('POST', '/api/v1/metrics', { delivery_id: `d${i}`, metric: 'opened' });
      await send('POST', '/v1/send/email', { transactional_message_id: i, to: 'a@x.io', identifiers: { id: 'u1' } });
      expect(await send('POST', `/v1/campaigns/${i}/triggers`, {})).toBe(200);
    }
    await send('PUT', '/api/v1/customers/keep', {});
    await send('PUT', '/api/v1/customers/old@x.io', {});
    for (let i = 1; i <= 4; i++)
      await send('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { email: 'old@x.io' } });

    expect(small.maxRecords).toBe(3);
    expect(small.events.map((event) => event.name)).toEqual(['/p4', 'e5', '/p5']);
    expect(small.batches).toHaveLength(3);
    expect(small.deletedPeople).toEqual(['gone-3', 'gone-4', 'gone-5']);
    expect(small.metrics.map((metric) => metric.delivery_id)).toEqual(['d3', 'd4', 'd5']);
    expect(small.transactional.map(({ body }) => body.transactional_message_id)).toEqual([3, 4, 5]);
    expect(small.broadcasts.map(({ broadcastId }) => broadcastId)).toEqual(['3', '4', '5']);
    expect(small.merges).toHaveLength(3);
    expect(small.requests.map(({ path }) => path)).toEqual(Array(3).fill('/api/v1/merge_customers'));
    expect(small.counts).toEqual({
      requests: 36,
      events: 10,
      batches: 5,
      people: 2,
      deletedPeople: 5,
      merges: 4,
      metrics: 5,
      transactional: 5,
      broadcasts: 5,
      objects: 0,
      unsubscribes: 0,
      forms: 0,
      aliases: 0,
      droppedCalls: 0,
    });
  });

  it('forgets the person least recently written past maxRecords, and counts every person created', async () => {
    for (const id of ['a', 'b', 'c']) await send('PUT', `/api/v1/customers/${id}`, { name: id });
    await send('PUT', '/api/v1/customers/a', { plan: 'pro' }); // a is now the most recently written
    await send('PUT', '/api/v1/customers/d', {});
    expect([...small.people.keys()]).toEqual(['c', 'a', 'd']);
    expect(small.people.get('a')?.attributes).toEqual({ name: 'a', plan: 'pro' });
    await send('PUT', '/api/v1/customers/b', { _update: true, plan: 'pro' }); // b was forgotten: not created again
    expect(small.people.has('b')).toBe(false);
    expect(small.counts.people).toBe(4);
  });

  it('remembers the last maxRecords event ids for deduplication', async () => {
    for (const id of [ulid(1), ulid(2), ulid(3), ulid(4), ulid(4), ulid(1)])
      await send('POST', '/api/v1/events', { name: 'e', id });
    expect(small.events.map((event) => event.id)).toEqual([ulid(3), ulid(4), ulid(1)]);
    expect(small.duplicateEvents).toBe(1);
    expect(small.counts.events).toBe(5);
  });

  it('reset() zeroes the counts', async () => {
    await send('POST', '/api/v1/events', { name: 'e' });
    small.reset();
    expect(small.counts).toEqual(expect.objectContaining({ requests: 0, events: 0 }));
  });

  it('keeps 10,000 entries a collection by default; Infinity keeps everything; anything else is refused', async () => {
    expect(sandbox.maxRecords).toBe(10_000);
    const postBatch = async (to: CustomerIOSandbox, ops: unknown[]) => {
      const response = await fetch(`${to.url}/api/v2/batch`, {
        method: 'POST',
        headers: { authorization: trackAuth() },
        body: JSON.stringify({ batch: ops }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    const op = (i: number) => ({ type: 'person', identifiers: { id: 'u' }, action: 'event', name: `e${i}` });
    for (const from of [0, 5_000]) await batch(Array.from({ length: 5_000 }, (_, i) => op(from + i)));
    await batch([op(10_000)]);
    expect(sandbox.events).toHaveLength(10_000);
    expect([sandbox.events[0].name, sandbox.events[9_999].name]).toEqual(['e1', 'e10000']);
    expect(sandbox.counts.events).toBe(10_001);
    const everything = await CustomerIOSandbox.start({ maxRecords: Infinity });
    try {
      for (const from of [0, 5_000])
        await postBatch(
          everything,
          Array.from({ length: 5_000 }, (_, i) => op(from + i)),
        );
      await postBatch(everything, [op(10_000)]);
      expect(everything.events).toHaveLength(10_001);
      expect(everything.maxRecords).toBe(Infinity);
    } finally {
      await everything.close();
    }
    for (const maxRecords of [0, 1.5, -1, NaN])
      await expect(CustomerIOSandbox.start({ maxRecords })).rejects.toThrow(RangeError);
  });
});
