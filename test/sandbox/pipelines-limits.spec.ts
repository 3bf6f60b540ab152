/**
 * The sandbox's Pipelines API over real HTTP, continued: its size limits (200 and nothing applied, as the document
 * says), messageId deduplication, scripted faults on its paths, the App API still under `/v1` beside it, reset and
 * maxRecords of its collections, and what `strict: false` lets through.
 */
import { describe, expect, it } from '@jest/globals';
import { CustomerIORequestError, PipelinesClient } from 'customerio-node-v5';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { sandboxCalls } from './sandbox-calls.js';
import { useSandbox } from '../support/test-app.js';

let sandbox: CustomerIOSandbox;
useSandbox('each', (started) => (sandbox = started));

const { call, pipelines, pipelinesAuth } = sandboxCalls(() => sandbox);

/** customerio-node 5.2's Pipelines client on the sandbox, strict mode, no retries. */
const client = (): PipelinesClient =>
  new PipelinesClient(sandbox.pipelinesKey, { url: `${sandbox.url}/v1`, strictMode: true, retry: { maxRetries: 0 } });
/** `value` as JSON padded with spaces to exactly `size` bytes. */
const padded = (size: number, value: object): string => {
  const json = JSON.stringify(value);
  return json + ' '.repeat(size - Buffer.byteLength(json));
};
/** A call of about `size` bytes. */
const sized = (size: number, call: Record<string, unknown>): Record<string, unknown> => ({
  ...call,
  properties: { pad: 'x'.repeat(size - JSON.stringify(call).length - 30) },
});

describe('CustomerIOSandbox: Pipelines API limits', () => {
  it('takes a call of 32 KB; answers 200 to a larger one and applies nothing, strict mode or not', async () => {
    const call = { userId: 'u1', event: 'Big' };
    expect(await pipelines('track', padded(32_000, call), true)).toMatchObject({ status: 200, body: {} });
    expect(await pipelines('track', padded(32_001, call), true)).toMatchObject({ status: 200, body: {} });
    expect(await client().track(sized(33_000, call) as never)).toEqual({});
    expect(sandbox.events).toHaveLength(1);
    expect(sandbox.droppedCalls).toEqual([
      { reason: 'request is larger than 32000 bytes' },
      { reason: 'request is larger than 32000 bytes' },
    ]);
    expect(sandbox.requests.map(({ status }) => status)).toEqual([200, 200, 200]);
  });

  it('answers 200 to a batch over 500 KB or holding a call over 32 KB, and applies none of it', async () => {
    const calls = Array.from({ length: 20 }, (_, n) => sized(26_000, { type: 'track', userId: `u${n}`, event: 'e' }));
    expect(await client().batch(calls as never)).toEqual({});
    const oversized = [{ type: 'identify', userId: 'u1' }, sized(33_000, { type: 'track', userId: 'u1', event: 'e' })];
    expect(await pipelines('batch', { batch: oversized }, true)).toMatchObject({ status: 200, body: {} });
    expect(await pipelines('batch', padded(500_000, { batch: [{ type: 'identify', userId: 'u2' }] }))).toMatchObject({
      status: 200,
    });
    expect(sandbox.events).toEqual([]);
    expect([...sandbox.people.keys()]).toEqual(['u2']);
    expect(sandbox.droppedCalls).toEqual([
      { reason: 'request is larger than 500000 bytes' },
      { reason: 'batch[1] is larger than 32000 bytes' },
    ]);
    expect(sandbox.batches).toEqual([
      { api: 'pipelines', operations: 0, bytes: expect.any(Number), status: 200 },
      { api: 'pipelines', operations: 2, bytes: expect.any(Number), status: 200 },
      { api: 'pipelines', operations: 1, bytes: 500_000, status: 200 },
    ]);
  });
});

describe('CustomerIOSandbox: Pipelines API messageId', () => {
  it('acknowledges a call whose messageId was applied before and does not apply it again', async () => {
    const cdp = client();
    await cdp.identify({ userId: 'u1', traits: { plan: 'pro' }, messageId: 'm-1' });
    await cdp.identify({ userId: 'u1', traits: { plan: 'free' }, messageId: 'm-1' });
    await cdp.track({ userId: 'u1', event: 'Paid', messageId: 'm-2' });
    await cdp.batch([
      { type: 'track', userId: 'u1', event: 'Paid', messageId: 'm-2' },
      { type: 'track', userId: 'u1', event: 'Paid', messageId: 'm-3' },
      { type: 'track', userId: 'u1', event: 'Paid', messageId: 'm-3' },
    ]);
    expect(sandbox.people.get('u1')?.attributes).toEqual({ plan: 'pro' });
    expect(sandbox.events.map(({ id }) => id)).toEqual(['m-2', 'm-3']);
    expect(sandbox.duplicateEvents).toBe(3);
  });
});

describe('CustomerIOSandbox: Pipelines API faults and neighbours', () => {
  it('scripted faults match the Pipelines paths', async () => {
    const cdp = client();
    sandbox.respondWith(503, { path: '/v1/track', times: 1 });
    const error = await cdp.track({ userId: 'u1', event: 'e' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CustomerIORequestError);
    expect((error as CustomerIORequestError).statusCode).toBe(503);
    await cdp.track({ userId: 'u1', event: 'e2' });
    sandbox.resetConnection({ path: '/v1/batch', times: 1 });
    await expect(cdp.batch([{ type: 'identify', userId: 'u2' }])).rejects.toThrow();
    sandbox.resetConnection({ path: '/v1/identify', times: 1, afterProcessing: true });
    await expect(cdp.identify({ userId: 'u3' })).rejects.toThrow();
    sandbox.delay(60, { path: /^\/v1\/(page|screen)$/, times: 1 });
    const started = performance.now();
    await cdp.page({ userId: 'u1', name: 'Home' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(sandbox.events.map(({ name }) => name)).toEqual(['e2', 'Home']);
    expect([...sandbox.people.keys()]).toEqual(['u3']);
    expect(sandbox.batches).toEqual([]);
    sandbox.hang({ path: '/v1/alias', times: 1 });
    const abort = new AbortController();
    const aborted = call(
      'POST',
      '/v1/alias',
      { previousId: 'a', userId: 'u3' },
      {
        headers: { authorization: pipelinesAuth() },
        signal: abort.signal,
      },
    );
    await sandbox.waitFor(() => sandbox.requests.at(-1)?.path === '/v1/alias');
    abort.abort();
    await expect(aborted).rejects.toThrow();
    expect(sandbox.aliases).toEqual([]);
    await cdp.alias({ previousId: 'a', userId: 'u3' });
    expect(sandbox.aliases).toEqual([{ previousId: 'a', userId: 'u3' }]);
  });

  it('leaves the App API under /v1 as it was, each API with its own credentials', async () => {
    expect(await call('POST', '/v1/send/email', { transactional_message_id: 3, to: 'a@b.c' })).toMatchObject({
      status: 200,
    });
    expect(await call('POST', '/v1/campaigns/7/triggers', { data: { a: 1 } })).toMatchObject({ status: 200 });
    expect(await call('GET', '/v1/identify')).toMatchObject({ status: 404 });
    expect(await call('POST', '/v1/identify', { userId: 'u1' })).toMatchObject({ status: 401 });
    const pipelinesKey = { headers: { authorization: pipelinesAuth() } };
    expect(await call('POST', '/v1/send/email', { transactional_message_id: 3 }, pipelinesKey)).toMatchObject({
      status: 401,
    });
    expect(sandbox.transactional).toHaveLength(1);
    expect(sandbox.broadcasts).toHaveLength(1);
    expect(sandbox.people.size).toBe(0);
  });
});

describe('CustomerIOSandbox: Pipelines API records', () => {
  it('bounds aliases and droppedCalls by maxRecords, and reset() clears them and the messageIds', async () => {
    const small = await CustomerIOSandbox.start({ maxRecords: 2 });
    try {
      const cdp = new PipelinesClient(small.pipelinesKey, { url: `${small.url}/v1`, retry: { maxRetries: 0 } });
      for (const n of [1, 2, 3]) {
        await cdp.alias({ previousId: `a${n}`, userId: `u${n}` });
        await cdp.track({ userId: `u${n}`, event: 'User Deleted', messageId: `m${n}`, timestamp: 'yesterday' });
      }
      expect(small.aliases.map(({ userId }) => userId)).toEqual(['u2', 'u3']);
      expect(small.droppedCalls.map(({ reason }) => reason)).toEqual(
        Array(2).fill('timestamp: must be an ISO 8601 date-time'),
      );
      expect(small.counts).toEqual(expect.objectContaining({ aliases: 3, droppedCalls: 3 }));
      small.reset();
      expect([small.aliases, small.droppedCalls]).toEqual([[], []]);
      expect(small.counts).toEqual(expect.objectContaining({ aliases: 0, droppedCalls: 0 }));
      await cdp.track({ userId: 'u1', event: 'Paid', messageId: 'm1' });
      expect(small.events).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('strict: false checks only what the sandbox needs: alias in a batch, a numeric object type, any timestamp', async () => {
    const lenient = await CustomerIOSandbox.start({ strict: false });
    try {
      const cdp = new PipelinesClient(lenient.pipelinesKey, { url: `${lenient.url}/v1`, strictMode: true });
      await cdp.batch([
        { type: 'identify', anonymousId: 'a1', traits: { source: 'ad' } },
        { type: 'alias', previousId: 'a1', userId: 'u1' },
        { type: 'group', userId: 'u1', groupId: 'acme', traits: { object_type_id: 2 } },
        { type: 'track', userId: 'u1', event: 'Paid', timestamp: 'yesterday' },
      ] as never);
      expect(lenient.people.get('u1')?.attributes).toEqual({ source: 'ad' });
      expect(lenient.objects.has('2:acme')).toBe(true);
      expect(lenient.events).toEqual([expect.not.objectContaining({ timestamp: expect.anything() })]);
      const raw = sandboxCalls(() => lenient).pipelines;
      expect(await raw('track', { event: 'Paid' })).toMatchObject({ status: 200 });
      expect(lenient.droppedCalls).toEqual([{ reason: 'userId: required (or anonymousId)', call: { event: 'Paid' } }]);
    } finally {
      await lenient.close();
    }
  });
});
