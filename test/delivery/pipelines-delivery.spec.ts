import { describe, expect, it } from '@jest/globals';
import { CUSTOMERIO_LIMITS, CustomerIOConfigError, type CustomerIOModuleOptions } from '../../lib/index.js';
import { expectEachOnceOrReported } from '../support/delivery-assertions.js';
import { QUEUE_SUITE_SETUP, rejectionOf, useTestApp } from '../support/test-app.js';

// The queue on the Pipelines API (`api: 'pipelines'`, customerio-node 5), against the sandbox over real sockets: what
// only this API has (strict mode, messageId, semantic events, group and alias) and the Track-only calls beside it.

const PIPELINES = { api: 'pipelines' } as const satisfies Partial<CustomerIOModuleOptions>;
/** The Pipelines key alone: no Track API credentials. */
const PIPELINES_ONLY = { ...PIPELINES, siteId: undefined, apiKey: undefined } as Partial<CustomerIOModuleOptions>;

describe('delivery on the Pipelines API', () => {
  const ctx = useTestApp({ ...QUEUE_SUITE_SETUP, options: PIPELINES });

  describe('batches', () => {
    it('a strict-mode 400 is split until the invalid call is isolated: it ends invalid with the reason, the rest is delivered', async () => {
      ctx.subject = await ctx.start();
      const { client, log } = ctx.subject;
      const before = client.track('u-1', 'before').id;
      // NOTE: the module takes any attribute; Customer.io's reserved `email` trait must be a string.
      const bad = client.identify('u-2', { email: 42 });
      const rejected = bad.delivered.catch((error: unknown) => error);
      const after = [client.track('u-3', 'after').id, client.track('u-4', 'after').id];
      await client.flush();
      expect(ctx.sandbox.requests.every((request) => request.path === '/v1/batch')).toBe(true);
      // the whole batch, its first half, then the invalid call alone are refused
      expect(ctx.sandbox.batches.map(({ api, status }) => `${api} ${status}`)).toEqual([
        'pipelines 400',
        'pipelines 400',
        'pipelines 200',
        'pipelines 400',
        'pipelines 200',
      ]);
      expect(log.ids('invalid')).toEqual([bad.id]);
      expect(log.reports.find((report) => report.outcome === 'invalid')?.reason).toBe(
        'batch[0].traits.email: must be a string',
      );
      expect(String(await rejected)).toMatch(/traits\.email: must be a string/);
      expect(ctx.sandbox.events.map((event) => event.id)).toEqual([before, ...after]);
      expect(ctx.sandbox.people.has('u-2')).toBe(false);
      expect(ctx.sandbox.droppedCalls).toEqual([]);
      expect(client.stats).toMatchObject({ delivered: 3, invalid: 1, retried: 0 });
    });

    it('messageId is the operation id (the event id when the caller chose one), the same on every attempt: one event each', async () => {
      ctx.subject = await ctx.start();
      const { client, log } = ctx.subject;
      // a 503, then a batch applied whose answer is lost, then success
      ctx.sandbox.respondWith(503, { times: 1, path: '/v1/batch' });
      ctx.sandbox.resetConnection({ times: 1, afterProcessing: true, path: '/v1/batch' });
      const generated = client.track('u-1', 'paid', { n: 1 }).id;
      const chosen = client.track('u-1', 'paid', { n: 2 }, { id: '01JD0000000000000000PIPE01' });
      const page = client.trackPageView('u-2', '/pricing').id;
      const anonymous = client.trackAnonymous('anon-1', 'visited').id;
      for (let i = 0; i < 5 && client.stats.queued > 0; i++) await client.flush();
      expect(ctx.sandbox.requests.map((request) => request.status)).toEqual([503, 0, 200]);
      expect(ctx.sandbox.batches.map((batch) => batch.operations)).toEqual([4, 4]); // the 503 was not read
      expect(ctx.sandbox.events.map(({ id, api }) => ({ id, api }))).toEqual(
        [generated, '01JD0000000000000000PIPE01', page, anonymous].map((id) => ({ id, api: 'pipelines' })),
      );
      expect(ctx.sandbox.duplicateEvents).toBe(4); // the resent batch, already applied
      expect(log.ids('delivered')).toEqual([generated, chosen.id, page, anonymous]);
      expect(client.stats).toMatchObject({ delivered: 4, failed: 0, queued: 0 });
    });

    it('a 429 with Retry-After: nothing is sent again before it has passed, then all is delivered once', async () => {
      ctx.subject = await ctx.start({ queue: { maxBatchOperations: 20, maxInFlight: 2 } });
      ctx.sandbox.respondWith(429, { times: 1, retryAfter: 1, path: '/v1/batch' });
      const ids = Array.from({ length: 60 }, (_, i) => ctx.subject.client.track(`u-${i % 6}`, 'n', { i }).id);
      for (let i = 0; i < 10 && ctx.subject.client.stats.queued > 0; i++) await ctx.subject.client.flush();
      expectEachOnceOrReported(ctx.sandbox, ids, ctx.subject.log);
      const throttled = ctx.sandbox.requests.filter((request) => request.status === 429);
      expect(throttled).toHaveLength(1);
      const later = ctx.sandbox.requests.filter((request) => request.receivedAt > throttled[0].receivedAt);
      expect(later.length).toBeGreaterThan(0);
      expect(Math.min(...later.map((request) => request.receivedAt))).toBeGreaterThanOrEqual(
        throttled[0].receivedAt + 950,
      );
    }, 15_000); // NOTE: Retry-After counts whole seconds.

    it('cuts batches by their real bytes: none over 500 KB, and Customer.io drops nothing of large valid data', async () => {
      ctx.subject = await ctx.start();
      const { client, log } = ctx.subject;
      // ~27 KB each in UTF-8 (two bytes per "é"), under the 32 KB of one call: 2.7 MB in all
      const ids = Array.from(
        { length: 100 },
        (_, i) => client.track(`u-${i % 7}`, 'wide', { text: 'é'.repeat(13_500) }).id,
      );
      await client.flush();
      const sizes = ctx.sandbox.batches.map((batch) => batch.bytes);
      expect(sizes.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(CUSTOMERIO_LIMITS.batchRequestBytes);
      expect(Math.max(...sizes)).toBeGreaterThan(CUSTOMERIO_LIMITS.batchRequestBytes - 30_000); // full batches
      expect(ctx.sandbox.batches.every((batch) => batch.api === 'pipelines' && batch.status === 200)).toBe(true);
      expect(ctx.sandbox.droppedCalls).toEqual([]);
      expect(ctx.sandbox.events).toHaveLength(100);
      expectEachOnceOrReported(ctx.sandbox, ids, log);
    });
  });

  describe('calls', () => {
    it('semantic events change the people: devices, suppression, deletion', async () => {
      ctx.subject = await ctx.start();
      const { client } = ctx.subject;
      client.identify('u-1', { plan: 'pro' });
      client.addDevice('u-1', 'tok-1', 'ios', { attributes: { app: '2.0' } });
      client.addDevice('u-1', 'tok-2', 'android');
      client.suppress('u-1');
      await client.flush();
      expect(ctx.sandbox.people.get('u-1')).toEqual({
        id: 'u-1',
        attributes: { plan: 'pro' },
        devices: {
          'tok-1': { id: 'tok-1', platform: 'ios', attributes: { app: '2.0' } },
          'tok-2': { id: 'tok-2', platform: 'android' },
        },
        suppressed: true,
      });
      client.deleteDevice('u-1', 'tok-1');
      client.unsuppress('u-1');
      await client.flush();
      expect(ctx.sandbox.people.get('u-1')).toMatchObject({ devices: { 'tok-2': { id: 'tok-2' } }, suppressed: false });
      expect(Object.keys(ctx.sandbox.people.get('u-1')!.devices)).toEqual(['tok-2']);
      client.destroy('u-1');
      await client.flush();
      expect(ctx.sandbox.people.has('u-1')).toBe(false);
      expect(ctx.sandbox.deletedPeople).toEqual(['u-1']);
      expect(ctx.sandbox.events).toEqual([]); // semantic events are actions, not events of the person
      expect(ctx.sandbox.droppedCalls).toEqual([]);
    });

    it('group relates a person to an object with its traits; alias merges a profile into another', async () => {
      ctx.subject = await ctx.start();
      const { client, direct } = ctx.subject;
      client.group('u-1', 'acme', { name: 'Acme' }, { objectTypeId: 2, relationshipAttributes: { role: 'admin' } });
      client.identify('anon-7', { seen: true });
      client.alias('anon-7', 'u-1');
      await client.flush();
      expect(ctx.sandbox.objects.get('2:acme')).toEqual({
        key: '2:acme',
        attributes: { name: 'Acme' },
        relationships: { 'u-1': { role: 'admin' } },
      });
      // the document's batch has no alias: it goes alone to /v1/alias, after the batch (u-1's group came first)
      expect(ctx.sandbox.requests.map(({ path, status }) => `${path} ${status}`)).toEqual([
        '/v1/batch 200',
        '/v1/alias 200',
      ]);
      expect(ctx.sandbox.aliases).toEqual([{ previousId: 'anon-7', userId: 'u-1' }]);
      expect(ctx.sandbox.people.has('anon-7')).toBe(false);
      expect(ctx.sandbox.people.get('u-1')?.attributes).toEqual({ seen: true });
      expect(ctx.subject.log.ids('invalid')).toEqual([]);
      expect(ctx.sandbox.droppedCalls).toEqual([]);

      await direct.group('u-2', 'acme', {}, { objectTypeId: 2 });
      await direct.alias('old-2', 'u-2');
      expect(ctx.sandbox.requests.slice(-2).map(({ path, status }) => `${path} ${status}`)).toEqual([
        '/v1/group 200',
        '/v1/alias 200',
      ]);
      expect(Object.keys(ctx.sandbox.objects.get('2:acme')!.relationships)).toEqual(['u-1', 'u-2']);
      expect(ctx.sandbox.aliases).toHaveLength(2);
    });
  });

  describe('Track-only calls', () => {
    it('without siteId and apiKey, throw a CustomerIOConfigError naming "api" at the call, and send nothing', async () => {
      ctx.subject = await ctx.start(PIPELINES_ONLY);
      const { client } = ctx.subject;
      const calls = [
        () => client.mergeCustomers({ id: 'u-1' }, { id: 'u-2' }),
        () => client.identifyObject({ object_type_id: '1', object_id: 'acme' }, { name: 'Acme' }),
        () => client.deleteObject({ object_type_id: '1', object_id: 'acme' }),
        () => client.addRelationships('u-1', [{ object: { object_type_id: '1', object_id: 'acme' } }]),
      ];
      for (const call of calls) {
        expect(call).toThrow(CustomerIOConfigError);
        expect(call).toThrow(/goes to the Track API, which needs the "siteId" and "apiKey" options/);
      }
      const error = await rejectionOf(client.trackMetric({ deliveryId: 'd-1', metric: 'opened' }));
      expect(error).toBeInstanceOf(CustomerIOConfigError);
      expect(error).toMatchObject({ option: 'api' });
      expect(calls[0]).toThrow(expect.objectContaining({ option: 'api' }));
      await client.flush();
      expect(ctx.sandbox.requests).toEqual([]);
      expect(client.stats.enqueued).toBe(0);
    });

    it('with siteId and apiKey, go to the Track API beside the Pipelines calls', async () => {
      ctx.subject = await ctx.start();
      const { client } = ctx.subject;
      client.identify('u-1', { plan: 'pro' });
      client.identify('u-2', { plan: 'free' });
      client.identifyObject({ object_type_id: '1', object_id: 'acme' }, { name: 'Acme' });
      await client.flush();
      client.mergeCustomers({ id: 'u-1' }, { id: 'u-2' });
      await client.flush();
      await client.trackMetric({ deliveryId: 'd-1', metric: 'opened' });
      expect(ctx.sandbox.batches.map(({ api, operations }) => `${api} ${operations}`)).toEqual([
        'pipelines 2',
        'track 1',
        'track 1',
      ]);
      expect(ctx.sandbox.requests.at(-1)?.path).toBe('/api/v1/metrics');
      expect(ctx.sandbox.objects.get('1:acme')?.attributes).toEqual({ name: 'Acme' });
      expect(ctx.sandbox.merges).toEqual([{ primary: { id: 'u-1' }, secondary: { id: 'u-2' } }]);
      expect(ctx.sandbox.people.has('u-2')).toBe(false);
      expect(ctx.sandbox.metrics).toEqual([expect.objectContaining({ delivery_id: 'd-1', metric: 'opened' })]);
    });

    it('alias on api "track" throws a CustomerIOConfigError naming "api"', async () => {
      ctx.subject = await ctx.start({ api: 'track' });
      const { client, direct } = ctx.subject;
      expect(() => client.alias('anon-1', 'u-1')).toThrow(
        expect.objectContaining({ name: 'CustomerIOConfigError', option: 'api' }),
      );
      expect(() => client.alias('anon-1', 'u-1')).toThrow(/alias is a Pipelines API call and option "api" is "track"/);
      await expect(direct.alias('anon-1', 'u-1')).rejects.toBeInstanceOf(CustomerIOConfigError);
      expect(ctx.sandbox.requests).toEqual([]);
    });
  });
});
