import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type CustomerIOPersonId, CustomerIOValidationError } from '../../lib/index.js';
import type { CapturedRequest } from '../support/capture-proxy.js';
import { rejectionOf } from '../support/test-app.js';
import { lastTo, startWireCapture, type WireCapture } from '../support/wire-capture.js';

declare const SDK_MAJOR: 4 | 5;

/** The identifier a request carries: v2 `identifiers`, or a v1 path segment read as Customer.io reads it (by its shape). */
function sentIdentifier(request: CapturedRequest): Record<string, string> {
  if (request.path === '/api/v2/entity') return (request.body as { identifiers: Record<string, string> }).identifiers;
  const segment = decodeURIComponent(/^\/api\/v1\/customers\/([^/]+)/.exec(request.path)![1]);
  if (segment.startsWith('cio_')) return { cio_id: segment.slice(4) };
  return segment.includes('@') ? { email: segment } : { id: segment };
}

describe(`person identifiers and anonymous events on the wire, customerio-node ${SDK_MAJOR}.x`, () => {
  let wire: WireCapture;

  beforeAll(async () => {
    wire = await startWireCapture();
  });
  afterEach(() => wire.reset());
  afterAll(() => wire.close());

  const operations = {
    identify: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.identify(p, { plan: 'pro' }),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.identify(p, { plan: 'pro' }),
    },
    track: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.track(p, 'signed_up', { plan: 'pro' }),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.track(p, 'signed_up', { plan: 'pro' }),
    },
    trackPageView: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.trackPageView(p, '/pricing'),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.trackPageView(p, '/pricing'),
    },
    addDevice: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.addDevice(p, 'tok-1', 'ios'),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.addDevice(p, 'tok-1', 'ios'),
    },
    deleteDevice: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.deleteDevice(p, 'tok-1'),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.deleteDevice(p, 'tok-1'),
    },
    suppress: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.suppress(p),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.suppress(p),
    },
    unsuppress: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.unsuppress(p),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.unsuppress(p),
    },
    destroy: {
      queued: (p: CustomerIOPersonId) => wire.subject.client.destroy(p),
      direct: (p: CustomerIOPersonId) => wire.subject.direct.destroy(p),
    },
  };
  const names = Object.keys(operations) as (keyof typeof operations)[];

  const shapes: [string, CustomerIOPersonId, Record<string, string>][] = [
    ['a plain email address', 'jane.doe@example.com', { email: 'jane.doe@example.com' }],
    ['a plain cio_… value', 'cio_a3000001', { cio_id: 'a3000001' }],
    ['any other plain string', 'u-42', { id: 'u-42' }],
    ['a number', 42, { id: '42' }],
    ['{ email }', { email: 'jane@example.com' }, { email: 'jane@example.com' }],
    ['{ id } shaped like an email', { id: 'jane@example.com' }, { id: 'jane@example.com' }],
    ['{ id } starting with cio_', { id: 'cio_legacy-7' }, { id: 'cio_legacy-7' }],
    ['{ cio_id }', { cio_id: 'a3000001' }, { cio_id: 'a3000001' }],
    ['{ phone }', { phone: '+14155552671' }, { phone: '+14155552671' }],
  ];

  it.each(shapes)(
    '%s reaches the same identifier queued and direct, for every person operation',
    async (_label, person, expected) => {
      const delivered = names.map((name) => operations[name].queued(person).delivered);
      await wire.subject.client.flush();
      await Promise.all(delivered);
      const batched = wire.batchedOperations();
      expect(batched.map((op) => [op.action, op.identifiers])).toEqual(
        ['identify', 'event', 'page', 'add_device', 'delete_device', 'suppress', 'unsuppress', 'delete'].map(
          (action) => [action, expected],
        ),
      );
      wire.reset();
      for (const name of names) {
        await operations[name].direct(person);
        const request = wire.proxy.requests.at(-1)!;
        expect([name, request.status, sentIdentifier(request)]).toEqual([name, 200, expected]);
      }
    },
  );

  it('mergeCustomers reads plain values by the same rule, on both paths', async () => {
    await wire.subject.direct.identify('cio_p1', {});
    const { delivered } = wire.subject.client.mergeCustomers('cio_p1', 'old@example.com');
    await wire.subject.client.flush();
    await delivered;
    expect(wire.batchedOperations().at(-1)).toMatchObject({
      primary: { cio_id: 'p1' },
      secondary: { email: 'old@example.com' },
    });
    await wire.subject.direct.mergeCustomers({ cio_id: 'p1' }, 'u-9');
    expect(lastTo(wire.proxy.requests, '/api/v1/merge_customers').body).toEqual({
      primary: { cio_id: 'p1' },
      secondary: { id: 'u-9' },
    });
  });

  it.each([
    ['a phone number not in E.164', { phone: '4155552671' }, 'personId.phone'],
    ['an { email } that is not an email address', { email: 'jane' }, 'personId.email'],
    ['two identifiers', { id: 'u-1', email: 'u@example.com' }, 'personId'],
    ['an unknown identifier', { anonymous_id: 'a-1' }, 'personId identifier'],
    ['cio_ with nothing after it', 'cio_', 'personId'],
  ])('refuses %s at the call site, on both paths', async (_label, person, field) => {
    const queued = (() => {
      try {
        wire.subject.client.identify(person as CustomerIOPersonId, {});
      } catch (error) {
        return error;
      }
    })();
    const direct = await rejectionOf(wire.subject.direct.identify(person as CustomerIOPersonId, {}));
    for (const error of [queued, direct]) {
      expect(error).toBeInstanceOf(CustomerIOValidationError);
      expect((error as CustomerIOValidationError).field).toBe(field);
    }
    expect(wire.proxy.requests).toEqual([]);
  });

  it('mergeCustomers refuses a phone identifier (Customer.io merges by id, email or cio_id)', async () => {
    const error = await rejectionOf(wire.subject.direct.mergeCustomers({ phone: '+14155552671' } as never, 'u-1'));
    expect(error).toMatchObject({ name: 'CustomerIOValidationError', field: 'primary identifier' });
  });

  describe('anonymous events', () => {
    it('queued, an anonymous event goes to POST /api/v1/events with its anonymous_id, and no batch item lacks identifiers', async () => {
      const receipt = wire.subject.client.trackAnonymous(
        'anon-7f3a9c',
        'viewed_pricing',
        { plan: 'pro' },
        { timestamp: 1_700_000_000 },
      );
      const { delivered } = receipt;
      await wire.subject.client.flush();
      await delivered;
      const request = lastTo(wire.proxy.requests, '/api/v1/events');
      expect(request).toMatchObject({ method: 'POST', status: 200 });
      expect(request.body).toEqual({
        anonymous_id: 'anon-7f3a9c',
        id: receipt.id,
        name: 'viewed_pricing',
        timestamp: 1_700_000_000,
        data: { plan: 'pro' },
      });
      expect(wire.batchedOperations()).toEqual([]);
      expect(wire.sandbox.events).toEqual([
        {
          anonymousId: 'anon-7f3a9c',
          id: receipt.id,
          name: 'viewed_pricing',
          type: 'event',
          data: { plan: 'pro' },
          timestamp: 1_700_000_000,
          api: 'v1',
        },
      ]);
    });

    it('queued with other operations, the anonymous event goes on its own and the rest in the batch; every receipt is delivered', async () => {
      const delivered = [
        wire.subject.client.identify('u-1', { plan: 'pro' }).delivered,
        wire.subject.client.trackAnonymous('anon-1', 'a').delivered,
        wire.subject.client.track('u-1', 'b').delivered,
        wire.subject.client.trackAnonymous('anon-2', 'c').delivered,
      ];
      await wire.subject.client.flush();
      await Promise.all(delivered);
      expect(wire.batchedOperations().map((op) => op.identifiers)).toEqual([{ id: 'u-1' }, { id: 'u-1' }]);
      const anonymous = wire.proxy.requests.filter((request) => request.path === '/api/v1/events');
      expect(anonymous.map((request) => (request.body as { anonymous_id: string }).anonymous_id).sort()).toEqual([
        'anon-1',
        'anon-2',
      ]);
      expect(
        wire.sandbox.events
          .filter((event) => event.anonymousId)
          .map((event) => event.name)
          .sort(),
      ).toEqual(['a', 'c']);
    });

    it('queued, an anonymous event Customer.io refuses (400) is reported invalid; the others are delivered', async () => {
      wire.sandbox.respondWith(400, { times: 1, path: '/api/v1/events', body: { meta: { error: 'bad event' } } });
      const refused = wire.subject.client.trackAnonymous('anon-1', 'a').delivered.catch((error: unknown) => error);
      const delivered = [
        wire.subject.client.trackAnonymous('anon-2', 'b').delivered,
        wire.subject.client.track('u-1', 'c').delivered,
      ];
      await wire.subject.client.flush();
      expect(await refused).toMatchObject({ status: 400 });
      await Promise.all(delivered);
      expect(wire.sandbox.events.map((event) => event.name).sort()).toEqual(['b', 'c']);
      expect(wire.subject.client.stats).toMatchObject({ invalid: 1, queued: 0 });
    });

    it('queued, an anonymous event that meets a retryable failure stays queued and is delivered once at the next flush', async () => {
      wire.sandbox.respondWith(503, { times: 1, path: '/api/v1/events' });
      const receipt = wire.subject.client.trackAnonymous('anon-1', 'a');
      const { delivered } = receipt;
      await wire.subject.client.flush();
      expect(wire.subject.client.stats.queued).toBe(1);
      await wire.subject.client.flush();
      await delivered;
      expect(wire.sandbox.events.map((event) => event.id)).toEqual([receipt.id]);
      expect(wire.proxy.requests.map((request) => request.status)).toEqual([503, 200]);
    });

    it('direct, an anonymous event goes to the same endpoint with the same fields', async () => {
      await wire.subject.direct.trackAnonymous(
        'anon-7f3a9c',
        'viewed_pricing',
        { plan: 'pro' },
        { timestamp: 1_700_000_000 },
      );
      const request = lastTo(wire.proxy.requests, '/api/v1/events');
      expect(request).toMatchObject({ method: 'POST', status: 200 });
      expect(request.body).toEqual({
        anonymous_id: 'anon-7f3a9c',
        name: 'viewed_pricing',
        timestamp: 1_700_000_000,
        data: { plan: 'pro' },
      });
    });
  });
});
