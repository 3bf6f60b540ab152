import { createServer } from 'node:net';
import cio from 'customerio-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CustomerIOConfigError,
  CustomerIOError,
  CustomerIOHttpError,
  CustomerIONetworkError,
  CustomerIOTimeoutError,
} from '../../lib/index.js';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { CustomerIOSdkAdapter } from '../../lib/transport/customerio-sdk.adapter.js';
import { rejectionOf, startTestApp, type TestApp } from '../support/test-app.js';

declare const SDK_MAJOR: 4 | 5;

describe(`CustomerIODirectClient over customerio-node ${SDK_MAJOR}.x against the sandbox`, () => {
  let sandbox: CustomerIOSandbox;
  let subject: TestApp;

  beforeAll(async () => {
    sandbox = await CustomerIOSandbox.start();
    // NOTE: retries are off here: these tests pin down what one request does; retrying is tested in test/delivery.
    subject = await startTestApp({ sandbox, options: { retry: false } });
  });
  afterEach(() => sandbox.reset());
  afterAll(async () => {
    await subject.app.close();
    await sandbox.close();
  });

  it(`runs on customerio-node ${SDK_MAJOR}.x`, () => {
    const hasBatch = typeof (cio.TrackClient.prototype as { batch?: unknown }).batch === 'function';
    expect(hasBatch).toBe(SDK_MAJOR === 5);
  });

  describe('Track API', () => {
    it('identify creates a person, sends Dates as unix seconds and the timestamp as _timestamp', async () => {
      await subject.direct.identify(
        'u-1',
        { email: 'a@example.com', created_at: new Date(1_700_000_000_500) },
        { timestamp: 1_700_000_100 },
      );
      expect(sandbox.people.get('u-1')?.attributes).toEqual({ email: 'a@example.com', created_at: 1_700_000_000 });
      expect(sandbox.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/customers/u-1', status: 200 });
    });

    it('identify with updateOnly does not create a person', async () => {
      await subject.direct.identify('nobody', { plan: 'pro' }, { updateOnly: true });
      expect(sandbox.people.has('nobody')).toBe(false);
    });

    it('identify url-encodes ids and takes numbers', async () => {
      await subject.direct.identify('a/b c@example.com', { x: 1 });
      await subject.direct.identify(42, { y: 2 });
      expect(sandbox.people.get('a/b c@example.com')?.attributes).toEqual({ x: 1 });
      expect(sandbox.people.get('42')?.attributes).toEqual({ y: 2 });
    });

    it('destroy deletes a person', async () => {
      await subject.direct.identify('u-2', {});
      await subject.direct.destroy('u-2');
      expect(sandbox.people.has('u-2')).toBe(false);
      expect(sandbox.deletedPeople).toEqual(['u-2']);
    });

    it('suppress and unsuppress', async () => {
      await subject.direct.identify('u-3', {});
      await subject.direct.suppress('u-3');
      expect(sandbox.people.get('u-3')?.suppressed).toBe(true);
      await subject.direct.unsuppress('u-3');
      expect(sandbox.people.get('u-3')?.suppressed).toBe(false);
    });

    it('track sends name, data, timestamp and id; a repeated id is deduplicated', async () => {
      const id = '01HZY4V6W8J4ZB3N0QJ3K5T6AB';
      await subject.direct.track('u-4', 'signed_up', { plan: 'pro' }, { timestamp: new Date(1_700_000_000_000), id });
      await subject.direct.track('u-4', 'signed_up', { plan: 'pro' }, { id });
      expect(sandbox.events).toEqual([
        {
          id,
          personId: 'u-4',
          name: 'signed_up',
          type: 'event',
          data: { plan: 'pro' },
          timestamp: 1_700_000_000,
          api: 'v1',
        },
      ]);
      expect(sandbox.duplicateEvents).toBe(1);
    });

    it('trackAnonymous sends an event keyed by anonymous id', async () => {
      await subject.direct.trackAnonymous('anon-9', 'viewed_pricing', { tier: 'team' });
      expect(sandbox.events).toMatchObject([
        { anonymousId: 'anon-9', name: 'viewed_pricing', data: { tier: 'team' }, type: 'event' },
      ]);
    });

    it('trackPageView sends a page event with its data', async () => {
      await subject.direct.trackPageView('u-5', '/pricing', { referrer: 'ad' });
      expect(sandbox.events).toMatchObject([
        { personId: 'u-5', name: '/pricing', type: 'page', data: { referrer: 'ad' } },
      ]);
    });

    it('trackMetric posts to /api/v1/metrics and trackPush to /api/v1/push/events', async () => {
      await subject.direct.trackMetric({
        deliveryId: 'd-1',
        metric: 'opened',
        timestamp: 1_700_000_000,
        recipient: 'tok',
      });
      await subject.direct.trackPush({
        deliveryId: 'd-2',
        event: 'delivered',
        deviceId: 'dev-1',
        timestamp: 1_700_000_001,
      });
      expect(sandbox.metrics).toEqual([
        { delivery_id: 'd-1', metric: 'opened', timestamp: 1_700_000_000, recipient: 'tok' },
        { delivery_id: 'd-2', event: 'delivered', device_id: 'dev-1', timestamp: 1_700_000_001 },
      ]);
      expect(sandbox.requests.map((r) => r.path)).toEqual(['/api/v1/metrics', '/api/v1/push/events']);
    });

    it('addDevice registers a device and deleteDevice removes it', async () => {
      await subject.direct.addDevice('u-6', 'tok-1', 'ios', {
        lastUsed: 1_700_000_000,
        attributes: { app_version: '1.2' },
      });
      expect(sandbox.people.get('u-6')?.devices['tok-1']).toEqual({
        id: 'tok-1',
        platform: 'ios',
        lastUsed: 1_700_000_000,
        attributes: { app_version: '1.2' },
      });
      await subject.direct.deleteDevice('u-6', 'tok-1');
      expect(sandbox.people.get('u-6')?.devices).toEqual({});
    });

    it('mergeCustomers merges the secondary person into the primary', async () => {
      await subject.direct.identify('primary', { plan: 'pro' });
      await subject.direct.identify('dup@example.com', { plan: 'free', city: 'Oslo' });
      await subject.direct.mergeCustomers({ id: 'primary' }, { email: 'dup@example.com' });
      expect(sandbox.merges).toEqual([{ primary: { id: 'primary' }, secondary: { email: 'dup@example.com' } }]);
      expect(sandbox.people.get('primary')?.attributes).toEqual({ plan: 'pro', city: 'Oslo' });
    });
  });

  describe('App API', () => {
    it('sendEmail, sendPush and sendSMS send transactional messages and return the delivery', async () => {
      const email = await subject.direct.sendEmail({
        to: 'a@example.com',
        identifiers: { id: 'u-1' },
        transactional_message_id: 3,
      });
      await subject.direct.sendPush({ identifiers: { id: 'u-1' }, transactional_message_id: 4, title: 'Hi' });
      await subject.direct.sendSMS({
        to: '+15551234567',
        identifiers: { email: 'a@example.com' },
        transactional_message_id: 5,
      });
      expect(email.delivery_id).toEqual(expect.any(String));
      expect(sandbox.transactional.map((t) => [t.kind, t.body.transactional_message_id])).toEqual([
        ['email', 3],
        ['push', 4],
        ['sms', 5],
      ]);
    });

    it('triggerBroadcast posts to /v1/campaigns/{id}/triggers on every SDK version', async () => {
      await subject.direct.triggerBroadcast(12, { data: { headline: 'Sale' }, recipients: { ids: ['u-1', 'u-2'] } });
      expect(sandbox.broadcasts).toEqual([
        { broadcastId: '12', body: { data: { headline: 'Sale' }, ids: ['u-1', 'u-2'] } },
      ]);
      expect(sandbox.requests.at(-1)?.path).toBe('/v1/campaigns/12/triggers');
    });

    it('App API methods without an App API key fail with a config error before any request', async () => {
      const { appApiKey: _, ...trackOnly } = sandbox.moduleOptions();
      const other = await startTestApp({ sandbox, options: { ...trackOnly, appApiKey: undefined } });
      try {
        await expect(
          other.direct.sendEmail({ to: 'a@example.com', identifiers: { id: 1 }, transactional_message_id: 1 }),
        ).rejects.toThrow(CustomerIOConfigError);
        await expect(other.direct.triggerBroadcast(1)).rejects.toThrow(/triggerBroadcast needs the App API/);
        expect(sandbox.requests).toHaveLength(0);
      } finally {
        await other.app.close();
      }
    });
  });

  describe('v2 through the adapter', () => {
    it("any 2xx is success: a 207 returns Customer.io's per-item errors", async () => {
      const adapter = subject.app.get(CustomerIOSdkAdapter);
      const body = await adapter.postV2(
        'batch',
        JSON.stringify({
          batch: [
            { type: 'person', identifiers: { id: 'u-7' }, action: 'identify', attributes: { a: 1 } },
            { type: 'person', identifiers: {}, action: 'identify', attributes: {} },
          ],
        }),
      );
      expect(body).toMatchObject({ errors: [{ batch_index: 1, field: 'identifiers' }] });
      expect(sandbox.people.get('u-7')?.attributes).toEqual({ a: 1 });
    });
  });

  describe('failures become CustomerIOError', () => {
    it('a wrong API key is a 401 that is not retryable, and the error does not carry the key', async () => {
      const wrong = await startTestApp({ sandbox, options: { apiKey: 'wrong-key-123', retry: false } });
      try {
        const error = await rejectionOf(wrong.direct.identify('u-1', {}));
        expect(error).toBeInstanceOf(CustomerIOHttpError);
        expect(error).toMatchObject({ status: 401, retryable: false, errors: ['Unauthorized request'] });
        expect(JSON.stringify(error) + String(error) + (error.stack ?? '')).not.toContain('wrong-key-123');
      } finally {
        await wrong.app.close();
      }
    });

    it('a 503 with Retry-After is retryable and carries the delay', async () => {
      sandbox.respondWith(503, { retryAfter: 7, times: 1 });
      const error = await rejectionOf(subject.direct.track('u-1', 'x'));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: 7000, errors: ['scripted 503'] });
    });

    it('a 429 with an HTTP-date Retry-After carries the delay until that date', async () => {
      sandbox.respondWith(429, { retryAfter: new Date(Date.now() + 30_000).toUTCString(), times: 1 });
      const error = (await rejectionOf(subject.direct.track('u-1', 'x'))) as CustomerIOError;
      expect(error).toMatchObject({ status: 429, retryable: true });
      expect(error.retryAfterMs).toBeGreaterThan(27_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
    });

    it('a Retry-After that is neither delta-seconds nor an HTTP date carries no delay (the retry policy uses its backoff)', async () => {
      sandbox.respondWith(429, { retryAfter: '1e3', times: 1 });
      const error = await rejectionOf(subject.direct.track('u-1', 'x'));
      expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: undefined });
    });

    it('a 425 (Too Early: the server did not process it) is retryable', async () => {
      sandbox.respondWith(425, { times: 1 });
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 425, retryable: true });
    });

    it("a 400 carries Customer.io's messages and is not retryable", async () => {
      const error = await rejectionOf(subject.direct.mergeCustomers({ id: 'missing' }, { id: 'other' }));
      expect(error).toBeInstanceOf(CustomerIOHttpError);
      expect(error).toMatchObject({ status: 400, retryable: false });
      expect((error as CustomerIOError).errors.length).toBeGreaterThan(0);
    });

    it('a body that is not JSON (a gateway page) is a retryable error', async () => {
      sandbox.respondWith(502, { body: '<html>Bad Gateway</html>', times: 1 });
      const error = (await rejectionOf(subject.direct.identify('u-1', {}))) as CustomerIOError;
      expect(error).toBeInstanceOf(CustomerIOError);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('Bad Gateway');
    });

    it('a reset connection is a retryable network error with code ECONNRESET', async () => {
      sandbox.resetConnection({ times: 1 });
      const error = await rejectionOf(subject.direct.identify('u-1', {}));
      expect(error).toBeInstanceOf(CustomerIONetworkError);
      expect(error).toMatchObject({ code: 'ECONNRESET', retryable: true });
    });

    it('a refused connection is a retryable network error with code ECONNREFUSED', async () => {
      const port = await closedPort();
      const refused = await startTestApp({ sandbox, options: { trackUrl: `http://127.0.0.1:${port}`, retry: false } });
      try {
        const error = await rejectionOf(refused.direct.identify('u-1', {}));
        expect(error).toBeInstanceOf(CustomerIONetworkError);
        expect(error).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
      } finally {
        await refused.app.close();
      }
    });
  });

  describe('deadline and connections', () => {
    it('a server that never answers fails with a timeout within the deadline and the socket is released', async () => {
      const stalled = await CustomerIOSandbox.start();
      const slow = await startTestApp({ sandbox: stalled, options: { timeout: 250, retry: false } });
      try {
        stalled.hang();
        const started = performance.now();
        const error = await rejectionOf(slow.direct.track('u-1', 'stalled'));
        const elapsed = performance.now() - started;
        expect(error).toBeInstanceOf(CustomerIOTimeoutError);
        expect(error).toMatchObject({ timeoutMs: 250, retryable: true });
        expect(elapsed).toBeGreaterThanOrEqual(240);
        expect(elapsed).toBeLessThan(2_000);
        expect(stalled.requests).toHaveLength(1);
        // the hung request's socket was closed by the client, not left to the server
        await stalled.waitFor(() => stalled.pendingRequests === 0, 1_000);
      } finally {
        await slow.app.close();
        await stalled.close();
      }
    });

    it('keeps connections alive across calls instead of opening one per request', async () => {
      for (let i = 0; i < 10; i++) await subject.direct.identify(`k-${i}`, { i });
      expect(sandbox.requests).toHaveLength(10);
      expect(sandbox.connectionsOpened).toBeLessThanOrEqual(2);
    });
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
