import { describe, expect, it } from '@jest/globals';
import { CustomerIOSandbox } from '../../lib/testing/index.js';
import { ULID, ruleChecks } from './sandbox-rules.js';
import { useSandbox } from '../support/test-app.js';

// Each rule of the strict sandbox, from Customer.io's published Track API document (the schema named in each
// test), over real HTTP: what the spec accepts is accepted, what it refuses is refused with Customer.io's shape.

let sandbox: CustomerIOSandbox;
useSandbox('all', (started) => (sandbox = started));

const { call, expectV1Rule } = ruleChecks(() => sandbox);

describe('strict sandbox: Track API v1', () => {
  it('identify: _timestamp and created_at unix seconds, _update a boolean, nested attribute values taken (PUT /api/v1/customers/{identifier})', async () => {
    await expectV1Rule(
      'PUT',
      '/api/v1/customers/u1',
      [
        {
          _timestamp: 1_700_000_000,
          created_at: 1_600_000_000,
          _update: false,
          address: { city: 'Lyon' },
          tags: ['a'],
        },
      ],
      [
        [{ _timestamp: '1700000000' }, '_timestamp'],
        [{ created_at: 1_700_000_000_000 }, 'created_at'],
        [{ _update: 1 }, '_update'],
        [{ cio_relationships: { action: 'link', relationships: [] } }, 'cio_relationships.action'],
      ],
    );
  });

  it('events: type event, page or screen; integer timestamp; ULID id; a name (eventsRequest, anonymousEventsRequest)', async () => {
    const valid = [
      { name: 'paid', type: 'event', timestamp: 1_700_000_000, id: ULID },
      { name: '/p', type: 'page' },
      { name: 'Home', type: 'screen' },
    ];
    const invalid: Array<[unknown, string]> = [
      [{ name: 'paid', type: 'purchase' }, 'type'],
      [{ name: 'paid', timestamp: 1.5 }, 'timestamp'],
      [{ name: 'paid', id: 'evt-1' }, 'id'],
      [{ data: {} }, 'name'],
    ];
    await expectV1Rule('POST', '/api/v1/customers/u1/events', valid, invalid);
    await expectV1Rule(
      'POST',
      '/api/v1/events',
      valid.map((body) => ({ ...body, anonymous_id: 'a1' })),
      [...invalid, [{ name: 'x', anonymous_id: 5 }, 'anonymous_id']],
    );
  });

  it('devices: id, platform ios or android, integer last_used, string attributes (device_object)', async () => {
    await expectV1Rule(
      'PUT',
      '/api/v1/customers/u1/devices',
      [{ device: { id: 'tok', platform: 'android', last_used: 1_700_000_000, attributes: { push_enabled: 'false' } } }],
      [
        [{ device: { platform: 'android' } }, 'device.id'],
        [{ device: { id: 'tok', platform: 'Android' } }, 'device.platform'],
        [
          { device: { id: 'tok', platform: 'ios', attributes: { push_enabled: false } } },
          'device.attributes.push_enabled',
        ],
      ],
    );
  });

  it('merge: 400 {"meta":{"error"}} when a side is not exactly one of id, email, cio_id (POST /api/v1/merge_customers)', async () => {
    await call('PUT', '/api/v1/customers/keep', {});
    expect(
      await call('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { cio_id: 'c9' } }),
    ).toEqual({ status: 200, body: {} });
    expect(await call('POST', '/api/v1/merge_customers', { primary: { id: 'keep' }, secondary: { id: 7 } })).toEqual({
      status: 400,
      body: { meta: { error: expect.stringContaining('secondary.id') } },
    });
  });

  it('metrics: a delivery_id and a metric some channel has, deferred included, failed and sent not (POST /api/v1/metrics)', async () => {
    const metrics = ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'];
    await expectV1Rule(
      'POST',
      '/api/v1/metrics',
      metrics.map((metric) => ({ delivery_id: 'd1', metric, timestamp: 1_700_000_000 })),
      [
        [{ delivery_id: 'd1', metric: 'failed' }, 'metric'],
        [{ delivery_id: 'd1', metric: 'sent' }, 'metric'],
        [{ metric: 'opened' }, 'delivery_id'],
        [{ delivery_id: 'd1' }, 'metric'],
        [{ delivery_id: 'd1', metric: 'opened', timestamp: '2024' }, 'timestamp'],
      ],
    );
  });

  it('push metrics: event opened, converted or delivered (POST /api/v1/push/events)', async () => {
    await expectV1Rule(
      'POST',
      '/api/v1/push/events',
      [{ delivery_id: 'd1', event: 'opened', device_id: 'tok', timestamp: 1_700_000_000 }],
      [
        [{ delivery_id: 'd1', event: 'bounced' }, 'event'],
        [{ delivery_id: 1, event: 'opened' }, 'delivery_id'],
      ],
    );
  });
});

describe('strict sandbox: manual segments, forms, unsubscribes, region', () => {
  it('segments: an int32 segment id, id_type id, email or cio_id, 1 to 1000 string ids (POST /api/v1/segments/{segment_id}/add_customers)', async () => {
    const refused = { status: 400, body: { meta: { errors: [expect.any(String)] } } };
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: ['u1', 'u2'] })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('POST', '/api/v1/segments/3/add_customers?id_type=cio_id', { ids: ['c1'] })).toEqual({
      status: 200,
      body: {},
    });
    expect(await call('POST', '/api/v1/segments/3/remove_customers?id_type=id', { ids: ['u2'] })).toEqual({
      status: 200,
      body: {},
    });
    expect([...(sandbox.segments.get(3) ?? [])]).toEqual(['u1', 'cio_c1']);
    expect(await call('POST', '/api/v1/segments/x/add_customers', { ids: ['u1'] })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers?id_type=phone', { ids: ['+14155552671'] })).toEqual(
      refused,
    );
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: [] })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: Array(1001).fill('u') })).toEqual(refused);
    expect(await call('POST', '/api/v1/segments/3/add_customers', { ids: [42] })).toEqual(refused);
  });

  it('forms: data names the person by exactly one of email or id, every value a string; answered 204 (POST /api/v1/forms/{form_id}/submit)', async () => {
    const refused = { status: 400, body: { meta: { errors: [expect.any(String)] } } };
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { email: 'a@example.com', name: 'A' } })).toEqual({
      status: 204,
      body: undefined,
    });
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { name: 'A' } })).toEqual(refused);
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { id: 'u1', email: 'a@example.com' } })).toEqual(
      refused,
    );
    expect(await call('POST', '/api/v1/forms/f1/submit', { data: { id: 'u1', age: 3 } })).toEqual(refused);
    expect(await call('POST', '/api/v1/forms/f1/submit', {})).toEqual(refused);
  });

  it('unsubscribe: no credentials needed, unsubscribe a boolean (POST /unsubscribe/{delivery_id})', async () => {
    const anonymous = async (body: unknown): Promise<number> =>
      (
        await fetch(`${sandbox.url}/unsubscribe/d1`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).status;
    expect(await anonymous({ unsubscribe: true })).toBe(200);
    expect(await anonymous({ unsubscribe: 'yes' })).toBe(400);
    expect(sandbox.unsubscribes.at(-1)).toEqual({ deliveryId: 'd1', unsubscribe: true });
  });

  it('region: GET /api/v1/accounts/region answers the region the sandbox plays and its Track API host (getRegion)', async () => {
    const eu = await CustomerIOSandbox.start({ region: 'eu' });
    try {
      const answer = await fetch(`${eu.url}/api/v1/accounts/region`, {
        headers: { authorization: `Basic ${Buffer.from(`${eu.siteId}:${eu.apiKey}`).toString('base64')}` },
      });
      expect(await answer.json()).toEqual({ url: 'https://track-eu.customer.io', region: 'eu', environment_id: 1 });
      expect((await fetch(`${eu.url}/api/v1/accounts/region`)).status).toBe(401);
    } finally {
      await eu.close();
    }
  });
});
